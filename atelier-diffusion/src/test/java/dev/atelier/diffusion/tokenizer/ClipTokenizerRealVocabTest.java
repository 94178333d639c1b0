package dev.atelier.diffusion.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Against the real CLIP vocabulary in the shared folder; expected ids are published CLIP/HF tokenizer outputs. */
class ClipTokenizerRealVocabTest {

    private static Path vocabGz;
    private static ClipTokenizer sd1;

    // Per test, not per class: without the shared vocabulary each test then reports as skipped, not as absent.
    @BeforeEach
    void loadVocabulary() {
        vocabGz = RealClipVocab.gzPath();
        sd1 = RealClipVocab.sd1();
    }

    private static int[] withSpecials(String text) {
        int[] ids = sd1.encode(text);
        int[] out = new int[ids.length + 2];
        out[0] = sd1.bosId();
        System.arraycopy(ids, 0, out, 1, ids.length);
        out[out.length - 1] = sd1.eosId();
        return out;
    }

    @Test
    void encodesThePublishedExamples() {
        assertThat(withSpecials("a photo of a cat")).containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
        assertThat(withSpecials("a photo of an astronaut riding a horse on mars"))
                .containsExactly(49406, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, 49407);
        assertThat(withSpecials("Apple CoreML developer tools on a Macbook Air are fast"))
                .containsExactly(49406, 3055, 19622, 5780, 10929, 5771, 525, 320, 20617, 1922, 631, 1953, 49407);
        assertThat(withSpecials("Hello, World! 123")).containsExactly(49406, 3306, 267, 1002, 256, 272, 273, 274, 49407);
        assertThat(withSpecials("Dog on the Beach!")).containsExactly(49406, 1929, 525, 518, 2117, 256, 49407);
        assertThat(withSpecials("grandma's 2 birthday cakes"))
                .containsExactly(49406, 10525, 568, 273, 1166, 5950, 49407);
        assertThat(withSpecials("dog's tail")).containsExactly(49406, 1929, 568, 4132, 49407);
        assertThat(withSpecials("yellow school bus")).containsExactly(49406, 4481, 1228, 2840, 49407);
        assertThat(withSpecials("dog in batman costume")).containsExactly(49406, 1929, 530, 7223, 7235, 49407);
        assertThat(withSpecials("")).containsExactly(49406, 49407);
    }

    @Test
    void cleansWhitespaceAndCase() {
        assertThat(sd1.encode("  A \t PHOTO\nof   a  Cat  ")).containsExactly(320, 1125, 539, 320, 2368);
        // control and format characters vanish, no-break space is a space
        assertThat(sd1.encode("a\u200Bphoto\u00A0of a cat")).containsExactly(sd1.encode("aphoto of a cat"));
    }

    @Test
    void splitsLongWordsIntoSubwords() {
        int[] ids = sd1.encode("photorealistic");
        assertThat(ids).hasSize(2);
        assertThat(sd1.encode("photo")).containsExactly(1125);
        // the last piece carries the end-of-word mark, the first does not
        assertThat(ids[1]).isEqualTo(sd1.tokenId("realistic</w>"));
        assertThat(ids[0]).isEqualTo(sd1.tokenId("photo"));
    }

    @Test
    void hasTheFullClipVocabulary() {
        assertThat(sd1.vocabSize()).isEqualTo(49408);
        assertThat(sd1.bosId()).isEqualTo(49406);
        assertThat(sd1.eosId()).isEqualTo(49407);
        assertThat(sd1.tokenId("!")).isZero();
        assertThat(sd1.tokenId("!</w>")).isEqualTo(256);
        assertThat(sd1.tokenId(",</w>")).isEqualTo(267);
    }

    @Test
    void padsWithTheEndTokenForSd1AndWithIdZeroForSd2() {
        int[] padded = sd1.encodePadded("a photo of a cat");
        assertThat(padded).hasSize(77);
        assertThat(Arrays.copyOf(padded, 7)).containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
        assertThat(Arrays.copyOfRange(padded, 7, 77)).containsOnly(49407);

        ClipTokenizer sd2 = RealClipVocab.sd2();
        assertThat(sd2.padId()).isZero();
        int[] padded2 = sd2.encodePadded("a photo of a cat");
        assertThat(Arrays.copyOf(padded2, 7)).containsExactly(49406, 320, 1125, 539, 320, 2368, 49407);
        assertThat(Arrays.copyOfRange(padded2, 7, 77)).containsOnly(0);
    }

    @Test
    void truncatesToSeventySevenKeepingTheEndToken() {
        String longPrompt = "cat ".repeat(100);
        int[] padded = sd1.encodePadded(longPrompt);
        assertThat(padded).hasSize(77);
        assertThat(padded[0]).isEqualTo(49406);
        assertThat(Arrays.copyOfRange(padded, 1, 76)).containsOnly(2368);
        assertThat(padded[76]).isEqualTo(49407);
        assertThat(sd1.encode(longPrompt)).hasSize(100);
    }

    @Test
    void huggingFaceDirectoryAgreesWithTheOriginalFormat(@TempDir Path dir) throws IOException {
        writeHuggingFaceFiles(dir);
        ClipTokenizer fromDir = ClipTokenizer.fromHuggingFaceDir(dir);
        assertThat(fromDir.vocabSize()).isEqualTo(49408);
        assertThat(fromDir.padId()).isEqualTo(49407);
        assertThat(fromDir.maxLength()).isEqualTo(77);
        List<String> texts = List.of("a photo of a cat", "photorealistic portrait, 8k, highly detailed",
                "Straße café naïve façade", "日本語のテキスト 中文", "emoji 🐱🚀 done", "it's they're I've we'll he'd",
                "don't STOP!!! ... ??? #hashtag @user", "x^2 + y^2 = z^2; 3.14159", "tabs\tand\nnew\r\nlines",
                "<|startoftext|>inline<|endoftext|> specials", "ÉCOLE ÀÉÎÕÜ ΣΊΣΥΦΟΣ", "ﬁ ligature ｆｕｌｌｗｉｄｔｈ",
                "a" + "b".repeat(60), "");
        for (String text : texts) {
            assertThat(fromDir.encode(text)).as(text).containsExactly(sd1.encode(text));
            assertThat(fromDir.encodePadded(text)).as(text).containsExactly(sd1.encodePadded(text));
        }
    }

    @Test
    void readsSd2PadTokenFromHuggingFaceConfig(@TempDir Path dir) throws IOException {
        writeHuggingFaceFiles(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"model_max_length\": 77, \"pad_token\": \"!\", \"do_lower_case\": true}");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": {\"content\": \"!\", "
                + "\"lstrip\": false, \"normalized\": true, \"rstrip\": false, \"single_word\": false}}");
        ClipTokenizer sd2 = ClipTokenizer.fromHuggingFaceDir(dir);
        assertThat(sd2.padId()).isZero();
        assertThat(sd2.encodePadded("a cat")).startsWith(49406, 320, 2368, 49407);
        assertThat(Arrays.copyOfRange(sd2.encodePadded("a cat"), 4, 77)).containsOnly(0);
        // Hugging Face registers the pad token as a special token and cuts it out of the text verbatim
        assertThat(sd2.encode("cat!")).containsExactly(2368, 0);
        assertThat(sd1.encode("cat!")).containsExactly(2368, 256);
        // published in diffusers issue 4153: HF's SD 2.x/XL tokenizer turns every "!" into id 0, open_clip does not
        assertThat(sd2.encodePadded("! !! !!!")).startsWith(49406, 0, 0, 0, 0, 0, 0, 49407, 0);
        assertThat(sd1.encode("! !! !!!")).containsExactly(256, 748, 995);
    }

    @Test
    void specialTokensInTheTextMapToTheirIds() {
        assertThat(sd1.encode("a<|endoftext|>b")).containsExactly(sd1.tokenId("a</w>"), 49407, sd1.tokenId("b</w>"));
        assertThat(sd1.encode("<|STARTOFTEXT|>")).containsExactly(49406);
    }

    /** Writes vocab.json and merges.txt in Hugging Face's layout from the original gz file. */
    static void writeHuggingFaceFiles(Path dir) throws IOException {
        List<String> merges = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(vocabGz))) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 1; i <= 48894; i++) merges.add(lines[i]);
        }
        List<String> byteSymbols = byteSymbolsInVocabOrder();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String s : byteSymbols) vocab.put(s, vocab.size());
        for (String s : byteSymbols) vocab.put(s + "</w>", vocab.size());
        for (String merge : merges) vocab.put(merge.replace(" ", ""), vocab.size());
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        new ObjectMapper().writeValue(dir.resolve("vocab.json").toFile(), vocab);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
    }

    /** GPT-2's byte table written out independently of the production class. */
    private static List<String> byteSymbolsInVocabOrder() {
        List<Integer> bytes = new ArrayList<>();
        List<Integer> chars = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) bytes.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) bytes.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) bytes.add(b);
        chars.addAll(bytes);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bytes.contains(b)) {
                bytes.add(b);
                chars.add(256 + n++);
            }
        }
        List<String> out = new ArrayList<>();
        for (int c : chars) out.add(String.valueOf((char) c));
        return out;
    }
}
