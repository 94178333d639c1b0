package dev.atelier.diffusion.tokenizer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PromptWeightingTest {

    @Test
    void weightsEachTokenThenRestoresTheChunkMean() {
        float[] hidden = {1, 2, 3, 4, 5, 6};
        // original mean 3.5; weighted {1,2,6,8,5,6} has mean 28/6, so everything is scaled by 21/28 = 0.75
        PromptWeighting.applyEmphasis(hidden, 3, 2, new float[] {1f, 2f, 1f});
        assertThat(hidden).containsExactly(new float[] {0.75f, 1.5f, 4.5f, 6f, 3.75f, 4.5f}, within(1e-6f));
        double mean = 0;
        for (float v : hidden) mean += v;
        assertThat(mean / hidden.length).isCloseTo(3.5, within(1e-6));
    }

    @Test
    void leavesUnweightedStatesUntouched() {
        float[] hidden = {0.1f, -0.2f, 0.3f, 0.7f};
        PromptWeighting.applyEmphasis(hidden, 2, 2, new float[] {1f, 1f});
        assertThat(hidden).containsExactly(0.1f, -0.2f, 0.3f, 0.7f);
    }

    @Test
    void appliesToAChunkInsideALargerBatch() {
        float[] hidden = {9, 9, 1, 2, 3, 4, 5, 6, 9};
        PromptWeighting.applyEmphasis(hidden, 2, 3, 2, new float[] {1f, 2f, 1f});
        assertThat(hidden).containsExactly(new float[] {9, 9, 0.75f, 1.5f, 4.5f, 6f, 3.75f, 4.5f, 9}, within(1e-6f));
    }

    @Test
    void rejectsMismatchedSizes() {
        assertThatThrownBy(() -> PromptWeighting.applyEmphasis(new float[5], 3, 2, new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromptWeighting.applyEmphasis(new float[6], 3, 2, new float[2]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
