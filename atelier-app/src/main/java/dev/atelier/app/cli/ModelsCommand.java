package dev.atelier.app.cli;

import picocli.CommandLine.Command;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Pull, list and remove models (Hugging Face hub cache and presets).")
final class ModelsCommand extends NotBuiltYet {}
