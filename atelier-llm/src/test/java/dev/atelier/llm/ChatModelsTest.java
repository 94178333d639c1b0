package dev.atelier.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.llm.openai.OpenAiChatModel;
import org.junit.jupiter.api.Test;

class ChatModelsTest {

    @Test
    void httpSpecsOpenAnOpenAiCompatibleModelWithoutConnecting() {
        try (ChatModel model = ChatModels.open("openai:http://127.0.0.1:9/v1#some-model")) {
            assertThat(model).isInstanceOf(OpenAiChatModel.class);
            assertThat(model.name()).isEqualTo("some-model @ http://127.0.0.1:9/v1");
        }
        try (ChatModel model = ChatModels.open("ollama:qwen2.5:7b")) {
            assertThat(model.name()).isEqualTo("qwen2.5:7b @ http://localhost:11434/v1");
        }
    }

    @Test
    void malformedSpecAndMissingFileAreUserErrors() {
        assertThatThrownBy(() -> ChatModels.open("gpt-4o")).isInstanceOf(AtelierException.class).hasMessageContaining("Malformed model spec");
        assertThatThrownBy(() -> ChatModels.open("gguf:/nonexistent/dir/model.gguf")).isInstanceOf(AtelierException.class)
                .hasMessageContaining("GGUF model file not found");
    }
}
