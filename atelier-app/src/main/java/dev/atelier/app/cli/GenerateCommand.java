package dev.atelier.app.cli;

import picocli.CommandLine.Command;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Render images from a prompt with a Stable Diffusion ONNX model.")
final class GenerateCommand extends NotBuiltYet {}
