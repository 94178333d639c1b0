package dev.atelier.app.cli;

import dev.atelier.core.AtelierException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --image}, declared once: the picture a command works on or a request is about. */
final class ImageOption {

    @Option(names = "--image", paramLabel = "FILE", description = "The picture to work on (PNG, JPEG or WebP).")
    Path image;

    /** The picture, or a clear error for commands that cannot work without one. */
    Path require(String work) {
        if (image == null) throw new AtelierException("missing --image FILE: the picture to " + work);
        return image;
    }
}
