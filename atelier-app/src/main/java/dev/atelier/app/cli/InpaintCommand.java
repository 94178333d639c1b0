package dev.atelier.app.cli;

import picocli.CommandLine.Command;

@Command(name = "inpaint", mixinStandardHelpOptions = true,
        description = "Repaint a masked part of an image.")
final class InpaintCommand extends NotBuiltYet {}
