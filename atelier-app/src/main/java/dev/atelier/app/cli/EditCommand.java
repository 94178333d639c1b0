package dev.atelier.app.cli;

import picocli.CommandLine.Command;

@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Edit an image from a short instruction (MGIE-style expressive instruction + InstructPix2Pix).")
final class EditCommand extends NotBuiltYet {}
