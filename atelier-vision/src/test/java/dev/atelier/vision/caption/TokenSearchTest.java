package dev.atelier.vision.caption;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search on a decoder written as a table of next-token probabilities by prefix. */
class TokenSearchTest {

    static final int START = 0;
    static final int END = 1;
    static final int VOCABULARY = 6;

    /** Probabilities of the next token after each prefix (tokens after the start, joined by commas). */
    record TableDecoder(Map<String, double[]> table, List<String> asked) implements NextTokenLogits {
        TableDecoder(Map<String, double[]> table) { this(table, new ArrayList<>()); }

        @Override
        public float[][] next(long[][] sequences, int[] parents) {
            float[][] out = new float[sequences.length][];
            for (int r = 0; r < sequences.length; r++) {
                StringBuilder key = new StringBuilder();
                for (int i = 1; i < sequences[r].length; i++) key.append(i > 1 ? "," : "").append(sequences[r][i]);
                asked.add(key.toString());
                double[] p = table.getOrDefault(key.toString(), end());
                out[r] = new float[VOCABULARY];
                for (int v = 0; v < VOCABULARY; v++) out[r][v] = (float) Math.log(Math.max(p[v], 1e-30));
            }
            return out;
        }
    }

    static double[] probs(double... p) { return Arrays.copyOf(p, VOCABULARY); }

    static double[] end() { return probs(0, 1); }

    static GenerationSettings settings(int beams, int maxLength, double lengthPenalty) {
        return new GenerationSettings(START, new int[] {END}, maxLength, beams, lengthPenalty,
                GenerationSettings.EarlyStopping.HEURISTIC);
    }

    /** Token 2 looks best first (0.6) but leads to a coin toss; token 3 (0.4) leads to a certain 5. */
    static final Map<String, double[]> TRAP = Map.of(
            "", probs(0, 0, 0.6, 0.4),
            "2", probs(0, 0, 0, 0, 0.5, 0.5),
            "3", probs(0, 0, 0, 0, 0, 1));

    @Test
    void greedyTakesTheMostLikelyTokenEachStep() {
        assertThat(TokenSearch.generate(new TableDecoder(TRAP), settings(1, 20, 1))).containsExactly(2, 4);
    }

    @Test
    void beamSearchFindsTheMoreLikelySequence() {
        // 0.6 × 0.5 = 0.3 < 0.4 × 1
        assertThat(TokenSearch.generate(new TableDecoder(TRAP), settings(2, 20, 1))).containsExactly(3, 5);
    }

    @Test
    void maxLengthCountsTheStartToken() {
        Map<String, double[]> forever = Map.of("", probs(0, 0, 1), "2", probs(0, 0, 1), "2,2", probs(0, 0, 1),
                "2,2,2", probs(0, 0, 1), "2,2,2,2", probs(0, 0, 1));
        assertThat(TokenSearch.generate(new TableDecoder(forever), settings(1, 4, 1))).containsExactly(2, 2, 2);
        assertThat(TokenSearch.generate(new TableDecoder(forever), settings(3, 4, 1))).containsExactly(2, 2, 2);
    }

    /**
     * A short caption ends after one word with log-probability ln 0.5; a long one after four words with
     * ln 0.3. Per transformers, score = log p / generated^penalty, the end token counted: 2 and 5 tokens.
     */
    static final Map<String, double[]> SHORT_OR_LONG = Map.of(
            "", probs(0, 0, 0.5, 0.3, 0, 0.2),
            "2", probs(0, 1),
            "3", probs(0, 0, 0, 0, 1),
            "3,4", probs(0, 0, 0, 0, 1),
            "3,4,4", probs(0, 0, 0, 0, 1),
            "3,4,4,4", probs(0, 1));

    @Test
    void lengthPenaltyIsAppliedAsTransformersDefinesIt() {
        // penalty 1: ln 0.5 / 2 = −0.347 against ln 0.3 / 5 = −0.241: the long one wins
        assertThat(TokenSearch.generate(new TableDecoder(SHORT_OR_LONG), settings(2, 20, 1.0))).containsExactly(3, 4, 4, 4);
        // penalty 0: plain log-probabilities, −0.693 against −1.204: the short one wins
        assertThat(TokenSearch.generate(new TableDecoder(SHORT_OR_LONG), settings(2, 20, 0.0))).containsExactly(2);
        // penalty 0.5: −0.490 against −0.538
        assertThat(TokenSearch.generate(new TableDecoder(SHORT_OR_LONG), settings(2, 20, 0.5))).containsExactly(2);
    }

    @Test
    void beamSearchStopsOnceNoRunningBeamCanWin() {
        TableDecoder decoder = new TableDecoder(TRAP);
        TokenSearch.generate(decoder, settings(2, 50, 1));
        // both beams end by the third step; nothing is asked after that
        assertThat(decoder.asked().size()).isLessThanOrEqualTo(2 * 4);
    }

    @Test
    void greedyArgmaxPrefersTheFirstOfEqualLogits() {
        assertThat(TokenSearch.argmax(new float[] {1, 3, 3, 2})).isEqualTo(1);
    }
}
