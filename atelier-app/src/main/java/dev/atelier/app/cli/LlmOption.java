package dev.atelier.app.cli;

import dev.atelier.app.config.Environment;
import dev.atelier.app.config.UserSettings;
import picocli.CommandLine.Option;

/** {@code --llm}, declared once: the language model that plans. */
final class LlmOption {

    @Option(names = "--llm", paramLabel = "SPEC",
            description = "Language model that plans: gguf:FILE|PRESET, ollama:NAME, openai:URL#MODEL "
                    + "(default: $ATELIER_LLM, else the configured one, see 'atelier config').")
    String llm;

    /** --llm, else $ATELIER_LLM, else the person's setting, else the built-in default. */
    String orDefault() {
        if (llm != null && !llm.isBlank()) return llm.strip();
        String fromEnvironment = Environment.get("ATELIER_LLM");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) return fromEnvironment.strip();
        return UserSettings.load().get(UserSettings.Key.LLM);
    }
}
