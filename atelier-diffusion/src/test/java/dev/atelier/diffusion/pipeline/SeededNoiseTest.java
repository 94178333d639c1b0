package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SeededNoiseTest {
    @Test
    void sameSeedSameBitsAndStandardNormalMoments() {
        float[] a = new SeededNoise(123).gaussian(100_000);
        assertThat(new SeededNoise(123).gaussian(100_000)).containsExactly(a);
        assertThat(new SeededNoise(124).gaussian(10)).isNotEqualTo(new SeededNoise(123).gaussian(10));
        double mean = 0;
        double sq = 0;
        for (float v : a) {
            mean += v;
            sq += v * v;
        }
        mean /= a.length;
        assertThat(mean).isCloseTo(0, within(0.02));
        assertThat(sq / a.length - mean * mean).isCloseTo(1, within(0.02));
        // split draws continue the same stream
        SeededNoise s = new SeededNoise(123);
        float[] first = s.gaussian(3);
        float[] rest = s.gaussian(4);
        assertThat(first).containsExactly(a[0], a[1], a[2]);
        assertThat(rest).containsExactly(a[3], a[4], a[5], a[6]);
    }
}
