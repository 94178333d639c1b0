package dev.atelier.app;

import dev.atelier.app.cli.AtelierCommand;
import dev.atelier.app.logging.StartupClock;
import dev.atelier.diffusion.onnx.OrtNativeLibraries;
import picocli.CommandLine;

/** Entry point of the {@code atelier} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        StartupClock.mark("jvm to main");
        // Before any ONNX Runtime class loads: its libraries come from the user's cache, not a new temp copy.
        OrtNativeLibraries.prepare();
        int exit = AtelierCommand.newCommandLine().execute(args);
        StartupClock.mark("command done");
        StartupClock.log();
        System.exit(exit);
    }
}
