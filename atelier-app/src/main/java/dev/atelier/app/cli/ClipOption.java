package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import picocli.CommandLine.Option;

/** {@code --clip}, declared once: the CLIP model that embeds pictures and words. */
final class ClipOption {

    @Option(names = "--clip", paramLabel = "MODEL",
            description = "CLIP model (a folder of a CLIP ONNX export, a preset or a hub id) that searches the picture "
                    + "library and, when named, scores each picture against its prompt (default: the configured one, "
                    + "see 'atelier config'; built in: clip).")
    String clip;

    /** --clip, else the person's setting, else the built-in default. */
    String orDefault() {
        return clip != null && !clip.isBlank() ? clip.strip() : UserSettings.load().get(UserSettings.Key.CLIP);
    }
}
