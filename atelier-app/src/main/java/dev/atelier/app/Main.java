package dev.atelier.app;

import dev.atelier.app.cli.AtelierCommand;
import dev.atelier.diffusion.onnx.OrtNativeLibraries;
import picocli.CommandLine;

/** Entry point of the {@code atelier} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Before any ONNX Runtime class loads: its libraries come from the user's cache, not a new temp copy.
        OrtNativeLibraries.prepare();
        System.exit(AtelierCommand.newCommandLine().execute(args));
    }
}
