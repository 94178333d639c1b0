package dev.atelier.diffusion.tokenizer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** A1111-style weighted and chunked encoding with the real CLIP vocabulary (cat = 2368, dog = 1929, "," = 267). */
class ClipTokenizerWeightedRealVocabTest {

    private static final int BOS = 49406;
    private static final int EOS = 49407;
    private static final int CAT = 2368;
    private static final int DOG = 1929;
    private static final int COMMA = 267;

    private static ClipTokenizer sd1;
    private static ClipTokenizer sd2;

    // Per test, not per class: without the shared vocabulary each test then reports as skipped, not as absent.
    @BeforeEach
    void load() {
        sd1 = RealClipVocab.sd1();
        sd2 = RealClipVocab.sd2();
    }

    @Test
    void anEmptyPromptIsOneChunkOfStartEndAndPadding() {
        WeightedPrompt empty = sd1.encodeWeighted("");
        assertThat(empty.chunks()).hasSize(1);
        assertThat(empty.chunks().getFirst()).isEqualTo(sd1.encodePadded(""));
        assertThat(empty.weights().getFirst()).hasSize(77).containsOnly(1f);
        assertThat(sd2.encodeWeighted("").chunks().getFirst()).startsWith(BOS, EOS, 0).endsWith(0);
    }

    @Test
    void anUnweightedShortPromptEqualsThePaddedEncoding() {
        WeightedPrompt plain = sd1.encodeWeighted("a photo of a cat");
        assertThat(plain.chunks()).hasSize(1);
        assertThat(plain.chunks().getFirst()).isEqualTo(sd1.encodePadded("a photo of a cat"));
        assertThat(plain.hasEmphasis()).isFalse();
    }

    @Test
    void emphasisWeightsTheTokensOfItsText() {
        WeightedPrompt p = sd1.encodeWeighted("a (cat:1.3) and ((dog)) [photorealistic]");
        int[] ids = p.chunks().getFirst();
        float[] w = p.weights().getFirst();
        int[] photorealistic = sd1.encode("photorealistic");
        assertThat(Arrays.copyOf(ids, 8)).containsExactly(BOS, 320, CAT, sd1.tokenId("and</w>"), DOG,
                photorealistic[0], photorealistic[1], EOS);
        assertThat(Arrays.copyOf(w, 8)).containsExactly(1f, 1f, 1.3f, 1f, 1.21f, (float) (1 / 1.1), (float) (1 / 1.1), 1f);
        assertThat(p.hasEmphasis()).isTrue();
    }

    @Test
    void escapedParenthesesAreLiteralText() {
        WeightedPrompt p = sd1.encodeWeighted("\\(cat\\)");
        assertThat(p.chunks().getFirst()).isEqualTo(sd1.encodePadded("(cat)"));
        assertThat(p.weights().getFirst()).containsOnly(1f);
    }

    @Test
    void seventyFiveTokensFitOneChunkAndTheSeventySixthOpensAnother() {
        WeightedPrompt exact = sd1.encodeWeighted("cat ".repeat(75));
        assertThat(exact.chunks()).hasSize(1);
        assertThat(exact.chunks().getFirst()[76]).isEqualTo(EOS);
        assertThat(Arrays.copyOfRange(exact.chunks().getFirst(), 1, 76)).containsOnly(CAT);

        WeightedPrompt over = sd1.encodeWeighted("cat ".repeat(75) + "dog");
        assertThat(over.chunks()).hasSize(2);
        assertThat(Arrays.copyOf(over.chunks().get(1), 4)).containsExactly(BOS, DOG, EOS, EOS);
        assertThat(over.concatenatedIds()).hasSize(154);
    }

    @Test
    void aFullChunkBreaksAfterACommaWithinTheLastTwentyTokens() {
        // 70 cats, a comma at position 70, then 10 dogs: the 4 dogs after the comma move to the next chunk
        WeightedPrompt p = sd1.encodeWeighted("cat ".repeat(70) + ", " + "dog ".repeat(10));
        assertThat(p.chunks()).hasSize(2);
        int[] first = p.chunks().get(0);
        assertThat(Arrays.copyOfRange(first, 1, 71)).containsOnly(CAT);
        assertThat(first[71]).isEqualTo(COMMA);
        assertThat(first[72]).isEqualTo(EOS);
        assertThat(Arrays.copyOfRange(first, 73, 77)).containsOnly(EOS);
        int[] second = p.chunks().get(1);
        assertThat(second[0]).isEqualTo(BOS);
        assertThat(Arrays.copyOfRange(second, 1, 11)).containsOnly(DOG);
        assertThat(second[11]).isEqualTo(EOS);
    }

    @Test
    void aCommaFurtherBackDoesNotMoveText() {
        // comma at position 50: 25 tokens back, beyond A1111's 20
        WeightedPrompt p = sd1.encodeWeighted("cat ".repeat(50) + ", " + "dog ".repeat(40));
        assertThat(p.chunks()).hasSize(2);
        int[] first = p.chunks().get(0);
        assertThat(first[51]).isEqualTo(COMMA);
        assertThat(Arrays.copyOfRange(first, 52, 76)).containsOnly(DOG);
        assertThat(first[76]).isEqualTo(EOS);
        assertThat(Arrays.copyOfRange(p.chunks().get(1), 1, 17)).containsOnly(DOG);
        assertThat(p.chunks().get(1)[17]).isEqualTo(EOS);
    }

    @Test
    void movedTokensKeepTheirWeights() {
        WeightedPrompt p = sd1.encodeWeighted("cat ".repeat(70) + ", (dog:1.5) dog dog dog dog");
        assertThat(p.chunks()).hasSize(2);
        assertThat(p.chunks().get(1)[1]).isEqualTo(DOG);
        assertThat(p.weights().get(1)[1]).isEqualTo(1.5f);
        assertThat(p.weights().get(1)[2]).isEqualTo(1f);
    }

    @Test
    void breakStartsANewChunk() {
        WeightedPrompt p = sd1.encodeWeighted("a cat BREAK a dog");
        assertThat(p.chunks()).hasSize(2);
        assertThat(Arrays.copyOf(p.chunks().get(0), 4)).containsExactly(BOS, 320, CAT, EOS);
        assertThat(Arrays.copyOf(p.chunks().get(1), 4)).containsExactly(BOS, 320, DOG, EOS);
    }

    @Test
    void breakInsideBracketsStillBreaks() {
        WeightedPrompt p = sd1.encodeWeighted("(a cat BREAK a dog)");
        assertThat(p.chunks()).hasSize(2);
        assertThat(Arrays.copyOf(p.chunks().get(1), 4)).containsExactly(BOS, 320, DOG, EOS);
        assertThat(p.weights().get(1)[2]).isEqualTo(1.1f);
        assertThat(p.weights().get(1)).doesNotContain(-1.1f);
    }

    @Test
    void sd2ChunksPadWithZeroAfterTheEndToken() {
        WeightedPrompt p = sd2.encodeWeighted("(cat)");
        assertThat(Arrays.copyOf(p.chunks().getFirst(), 3)).containsExactly(BOS, CAT, EOS);
        assertThat(Arrays.copyOfRange(p.chunks().getFirst(), 3, 77)).containsOnly(0);
        assertThat(p.weights().getFirst()[1]).isEqualTo(1.1f);
    }
}
