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
        if (rendersAtOnce(args) && !"false".equals(System.getProperty("atelier.ort.preload"))) {
            OrtNativeLibraries.preloadInBackground(); // overlaps parsing and model lookup
        }
        int exit = AtelierCommand.newCommandLineFor(args).execute(args);
        StartupClock.mark("command done");
        StartupClock.log();
        System.exit(exit);
    }

    private static final java.util.Set<String> RENDERING = java.util.Set.of("generate", "edit", "inpaint", "outpaint");

    /** Whether the command opens ONNX sessions straight away (not for help or version output). */
    static boolean rendersAtOnce(String[] args) {
        boolean renders = false;
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h") || a.equals("--version") || a.equals("-V")) return false;
            if (RENDERING.contains(a)) renders = true;
        }
        return renders;
    }
}
