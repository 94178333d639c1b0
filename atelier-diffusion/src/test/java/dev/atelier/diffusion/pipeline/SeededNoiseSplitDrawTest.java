package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A large draw is computed in parallel pieces; it must give the bits of the same values drawn one at a time. */
class SeededNoiseSplitDrawTest {
    @Test
    void aLargeDrawEqualsDrawingOneValueAtATime() {
        int n = 3 * 2048 * 2 + 7; // several parallel tasks and an odd tail that leaves a spare
        SeededNoise oneByOne = new SeededNoise(42);
        float[] expected = new float[1 + n + 5];
        for (int i = 0; i < expected.length; i++) expected[i] = oneByOne.gaussian(1)[0];

        SeededNoise split = new SeededNoise(42);
        float[] head = split.gaussian(1); // leaves the pair's second value for the large draw to start with
        float[] large = split.gaussian(n);
        float[] tail = split.gaussian(5); // continues after the odd tail's spare
        float[] actual = new float[expected.length];
        actual[0] = head[0];
        System.arraycopy(large, 0, actual, 1, n);
        System.arraycopy(tail, 0, actual, 1 + n, 5);
        assertThat(actual).containsExactly(expected);
    }
}
