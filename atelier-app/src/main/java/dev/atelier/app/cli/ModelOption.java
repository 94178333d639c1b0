package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import picocli.CommandLine.Option;

/** {@code --model}, declared once for every command that renders; absent means the configured default for the kind. */
final class ModelOption {

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Diffusion model: a pipeline folder in the optimum ONNX layout, a preset or a hub id "
                    + "(default: the configured one for this kind of work, see 'atelier config').")
    String model;

    /** The model named with --model, else the person's setting, else the built-in default. */
    String orDefault(UserSettings.Key kind) {
        return model != null && !model.isBlank() ? model.strip() : UserSettings.load().get(kind);
    }
}
