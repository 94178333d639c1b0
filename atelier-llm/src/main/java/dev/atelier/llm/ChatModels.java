package dev.atelier.llm;

import dev.atelier.llm.llama.LlamaChatModel;
import dev.atelier.llm.llama.LlamaSettings;
import dev.atelier.llm.openai.OpenAiChatModel;
import dev.atelier.llm.openai.OpenAiSettings;
import dev.atelier.llm.spec.ModelSpec;

/** Opens a {@link ChatModel} from a model spec string such as {@code gguf:/models/qwen.gguf} or {@code ollama:qwen2.5:7b}. */
public final class ChatModels {

    private ChatModels() {}

    /** Parses the spec (see {@link ModelSpec}) and opens the model; a malformed spec is an AtelierException. */
    public static ChatModel open(String spec) { return open(ModelSpec.parse(spec)); }

    public static ChatModel open(ModelSpec spec) {
        return switch (spec) {
            case ModelSpec.Gguf gguf -> new LlamaChatModel(LlamaSettings.of(gguf));
            case ModelSpec.OpenAi openAi -> new OpenAiChatModel(OpenAiSettings.of(openAi));
        };
    }
}
