package dev.atelier.app.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out}, declared once: where the PNG goes; absent means a file named after the request in the working folder. */
final class OutputOption {
    /** Where unnamed outputs go: the working folder; replaceable in tests, which cannot change the JVM's. */
    static volatile Path workingFolder = Path.of("");

    @Option(names = "--out", paramLabel = "FILE.png",
            description = "Where to write the PNG (default: a new file in the working folder named after the request "
                    + "and seed); a batch writes FILE-1.png, FILE-2.png, ...")
    Path out;

    /** --out, or a fresh name made from the request and seed that overwrites nothing. */
    Path resolve(String request, long seed) {
        if (out != null) {
            RenderOptions.requirePngOutput(out);
            return out;
        }
        return OutputNames.fresh(workingFolder, request, seed);
    }
}
