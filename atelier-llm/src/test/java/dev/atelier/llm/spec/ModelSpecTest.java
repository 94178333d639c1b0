package dev.atelier.llm.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

    static ModelSpec parse(String s) { return ModelSpec.parse(s, Map.<String, String>of()::get); }

    @Test
    void ggufWithAndWithoutOptions() {
        assertThat(parse("gguf:/models/q.gguf")).isEqualTo(new ModelSpec.Gguf(Path.of("/models/q.gguf"), null, null, null));
        ModelSpec spec = parse("gguf:/models/q.gguf?ctx=8192&threads=4&gpu-layers=99");
        assertThat(spec).isEqualTo(new ModelSpec.Gguf(Path.of("/models/q.gguf"), 8192, 4, 99));
        assertThat(spec.text()).isEqualTo("gguf:/models/q.gguf?ctx=8192&threads=4&gpu-layers=99");
        assertThat(parse(spec.text())).isEqualTo(spec);
    }

    @Test
    void openAiTakesUrlModelAndKeyEnvironmentVariable() {
        assertThat(parse("openai:https://api.openai.com/v1#gpt-4o-mini"))
                .isEqualTo(new ModelSpec.OpenAi(URI.create("https://api.openai.com/v1"), "gpt-4o-mini", "OPENAI_API_KEY"));
        ModelSpec gemini = parse("openai:https://generativelanguage.googleapis.com/v1beta/openai/?key-env=GEMINI_API_KEY#gemini-2.0-flash");
        assertThat(gemini).isEqualTo(new ModelSpec.OpenAi(URI.create("https://generativelanguage.googleapis.com/v1beta/openai"),
                "gemini-2.0-flash", "GEMINI_API_KEY"));
        assertThat(parse(gemini.text())).isEqualTo(gemini);
        ModelSpec azure = parse("openai:https://x.example/openai/v1?api-version=2024-10-21#gpt-4o");
        assertThat(((ModelSpec.OpenAi) azure).baseUrl().toString()).isEqualTo("https://x.example/openai/v1?api-version=2024-10-21");
    }

    @Test
    void ollamaKeepsColonsInTheModelNameAndHonoursOllamaHost() {
        assertThat(parse("ollama:qwen2.5:7b"))
                .isEqualTo(new ModelSpec.OpenAi(URI.create("http://localhost:11434/v1"), "qwen2.5:7b", null));
        assertThat(parse("ollama:qwen2.5:7b").text()).isEqualTo("ollama:qwen2.5:7b");
        ModelSpec remote = ModelSpec.parse("ollama:llava", Map.of("OLLAMA_HOST", "10.0.0.5:11434")::get);
        assertThat(((ModelSpec.OpenAi) remote).baseUrl()).isEqualTo(URI.create("http://10.0.0.5:11434/v1"));
    }

    @Test
    void malformedSpecsSayWhatIsWrongAndShowTheForms() {
        assertThatThrownBy(() -> parse("")).isInstanceOf(AtelierException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> parse("model.gguf")).isInstanceOf(AtelierException.class).hasMessageContaining("no kind prefix")
                .hasMessageContaining("gguf:/path/model.gguf");
        assertThatThrownBy(() -> parse("llamafile:/x")).hasMessageContaining("'llamafile' is not a known kind");
        assertThatThrownBy(() -> parse("openai:https://api.openai.com/v1")).hasMessageContaining("model name is missing after '#'");
        assertThatThrownBy(() -> parse("openai:ftp://host/v1#m")).hasMessageContaining("not an http(s) URL");
        assertThatThrownBy(() -> parse("gguf:")).hasMessageContaining("path of the .gguf file is missing");
        assertThatThrownBy(() -> parse("gguf:/m.gguf?ctx=big")).hasMessageContaining("ctx must be a whole number");
        assertThatThrownBy(() -> parse("gguf:/m.gguf?temperature=1")).hasMessageContaining("'temperature' is not a gguf option");
        assertThatThrownBy(() -> parse("ollama:")).hasMessageContaining("model name is missing");
        assertThatThrownBy(() -> parse("openai:https://h/v1?key-env=not-a-name#m")).hasMessageContaining("key-env");
    }
}
