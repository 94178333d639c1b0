package dev.atelier.app.cli;

import picocli.CommandLine.Command;

@Command(name = "outpaint", mixinStandardHelpOptions = true,
        description = "Extend an image beyond its borders.")
final class OutpaintCommand extends NotBuiltYet {}
