package dev.atelier.diffusion.tokenizer;

import dev.atelier.core.AtelierException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A hand-made vocabulary whose ids are deliberately not CLIP's. */
class ClipTokenizerTinyVocabTest {

    private static Map<String, Integer> tinyVocab() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String s : List.of("c", "a", "t", "c</w>", "a</w>", "t</w>", "ca", "cat</w>", ",</w>",
                "<|startoftext|>", "<|endoftext|>", "d", "o", "g</w>", "do", "dog</w>")) {
            vocab.put(s, vocab.size());
        }
        return vocab;
    }

    private static final List<String> MERGES = List.of("c a", "ca t</w>", "d o", "do g</w>");

    private final ClipTokenizer tiny = ClipTokenizer.of(tinyVocab(), MERGES, "<|endoftext|>", 8);

    @Test
    void looksUpSpecialTokensByName() {
        assertThat(tiny.bosId()).isEqualTo(9);
        assertThat(tiny.eosId()).isEqualTo(10);
        assertThat(tiny.padId()).isEqualTo(10);
        assertThat(tiny.maxLength()).isEqualTo(8);
    }

    @Test
    void mergesByRankAndFallsBackToSymbols() {
        assertThat(tiny.encode("cat")).containsExactly(7);
        assertThat(tiny.encode("CAT, dog")).containsExactly(7, 8, 15);
        // no merge applies: byte symbols, the last with its end-of-word form
        assertThat(tiny.encode("act")).containsExactly(1, 0, 5);
        // symbols missing from the vocabulary become the unknown (= end) token, as in Hugging Face
        assertThat(tiny.encode("cab")).containsExactly(6, 10);
    }

    @Test
    void skipsAVersionHeaderInInMemoryMerges() {
        List<String> withHeader = new java.util.ArrayList<>(List.of("#version: 0.2"));
        withHeader.addAll(MERGES);
        assertThat(ClipTokenizer.of(tinyVocab(), withHeader, "<|endoftext|>", 8).encode("cat dog"))
                .containsExactly(7, 15);
    }

    @Test
    void padsAndTruncatesToItsMaxLength() {
        assertThat(tiny.encodePadded("cat")).containsExactly(9, 7, 10, 10, 10, 10, 10, 10);
        assertThat(tiny.encodePadded("cat cat cat cat cat cat cat")).containsExactly(9, 7, 7, 7, 7, 7, 7, 10);
        ClipTokenizer padZero = ClipTokenizer.of(tinyVocab(), MERGES, "c", 5);
        assertThat(padZero.encodePadded("dog")).containsExactly(9, 15, 10, 0, 0);
    }

    @Test
    void chunksWeightedPromptsAtItsOwnLength() {
        WeightedPrompt prompt = tiny.encodeWeighted("(cat) dog [dog] cat cat cat cat");
        assertThat(prompt.chunks()).hasSize(2);
        assertThat(prompt.chunks().get(0)).containsExactly(9, 7, 15, 15, 7, 7, 7, 10);
        assertThat(prompt.weights().get(0)).containsExactly(1f, 1.1f, 1f, (float) (1 / 1.1), 1f, 1f, 1f, 1f);
        assertThat(prompt.chunks().get(1)).containsExactly(9, 7, 10, 10, 10, 10, 10, 10);
        assertThat(prompt.weights().get(1)).containsOnly(1f);
    }

    @Test
    void refusesAVocabularyWithoutSpecialTokens() {
        Map<String, Integer> vocab = new LinkedHashMap<>(tinyVocab());
        vocab.remove("<|startoftext|>");
        assertThatThrownBy(() -> ClipTokenizer.of(vocab, MERGES, "<|endoftext|>", 8))
                .isInstanceOf(AtelierException.class).hasMessageContaining("<|startoftext|>");
        assertThatThrownBy(() -> ClipTokenizer.of(tinyVocab(), MERGES, "<pad>", 8))
                .isInstanceOf(AtelierException.class).hasMessageContaining("<pad>");
    }

    @Test
    void namesTheMissingFileOfAHuggingFaceDirectory(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("vocab.json"), "{}");
        assertThatThrownBy(() -> ClipTokenizer.fromHuggingFaceDir(dir))
                .isInstanceOf(AtelierException.class).hasMessageContaining("merges.txt");
    }

    @Test
    void readsATinyHuggingFaceDirectoryWithConfig(@TempDir Path dir) throws IOException {
        StringBuilder json = new StringBuilder("{");
        tinyVocab().forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        Files.writeString(dir.resolve("vocab.json"), json.append('}').toString());
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", MERGES) + "\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 6, \"pad_token\": \"a\","
                + "\"bos_token\": {\"__type\": \"AddedToken\", \"content\": \"<|startoftext|>\"}}");
        ClipTokenizer fromDir = ClipTokenizer.fromHuggingFaceDir(dir);
        assertThat(fromDir.maxLength()).isEqualTo(6);
        assertThat(fromDir.encodePadded("dog dog")).containsExactly(9, 15, 15, 10, 1, 1);
        // like Hugging Face, the pad token is a special token cut out of the raw text wherever it occurs
        assertThat(fromDir.encode("cat")).containsExactly(3, 1, 5);
    }

    @Test
    void addedTokensOfAHuggingFaceDirectoryAreMatchedVerbatim(@TempDir Path dir) throws IOException {
        StringBuilder json = new StringBuilder("{");
        tinyVocab().forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        Files.writeString(dir.resolve("vocab.json"), json.append('}').toString());
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", MERGES) + "\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"added_tokens_decoder\": {\"16\": {\"content\": "
                + "\"<Toy>\", \"special\": false}}}");
        Files.writeString(dir.resolve("added_tokens.json"), "{\"<pet>\": 17}");
        ClipTokenizer fromDir = ClipTokenizer.fromHuggingFaceDir(dir);
        assertThat(fromDir.encode("cat<Toy> dog <pet>")).containsExactly(7, 16, 15, 17);
        // case matters for added tokens, as in Hugging Face's trie
        assertThat(fromDir.encode("<toy>")).doesNotContain(16);
    }
}
