package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --llm gguf:…} accepts a local file, or a preset / hub file that the hub resolver turns into one. */
class LanguageModelSpecTest {

    @Test
    void aLocalGgufFileIsUsedAsItIsWithoutAskingTheHub(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("m.gguf"), "GGUF");
        List<String> asked = new ArrayList<>();
        String spec = "gguf:" + file + "?ctx=8192";
        assertThat(PlanCommand.withLocalModelFile(spec, name -> { asked.add(name); return file; })).isEqualTo(spec);
        assertThat(asked).isEmpty();
    }

    @Test
    void aPresetNameBecomesTheCachedFileAndKeepsTheSpecsSettings(@TempDir Path dir) throws Exception {
        Path cached = Files.writeString(dir.resolve("Qwen2.5-1.5B-Instruct-Q4_K_M.gguf"), "GGUF");
        List<String> asked = new ArrayList<>();
        String resolved = PlanCommand.withLocalModelFile("gguf:qwen2.5-1.5b-instruct?ctx=8192&threads=2",
                name -> { asked.add(name); return cached; });
        assertThat(asked).containsExactly("qwen2.5-1.5b-instruct");
        assertThat(resolved).isEqualTo("gguf:" + cached + "?ctx=8192&threads=2");
    }

    @Test
    void serverSpecsNeverTouchTheHub() {
        String spec = "ollama:qwen2.5:7b";
        assertThat(PlanCommand.withLocalModelFile(spec, name -> { throw new AssertionError("asked " + name); }))
                .isEqualTo(spec);
    }

    @Test
    void theResolversExplanationReachesTheUser() {
        assertThatThrownBy(() -> PlanCommand.withLocalModelFile("gguf:nope", name -> {
            throw new AtelierException("'" + name + "' is not an existing file or folder, not a preset");
        })).hasMessageContaining("'nope' is not an existing file");
    }
}
