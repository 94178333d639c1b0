package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GuidanceTest {
    @Test
    void combinesAndRescalesAsTheFormulaSays() {
        float[] u = {0f, 1f, 2f, 3f};
        float[] c = {1f, 1f, 4f, 2f};
        float[] plain = Guidance.combine(u, c, 3, 0);
        assertThat(plain).containsExactly(3f, 1f, 8f, 0f);
        float[] full = Guidance.combine(u, c, 3, 1);
        assertThat(Guidance.std(full)).isCloseTo(Guidance.std(c), within(1e-6));
        float[] half = Guidance.combine(u, c, 3, 0.5);
        double ratio = Guidance.std(c) / Guidance.std(plain);
        for (int i = 0; i < 4; i++) assertThat((double) half[i]).isCloseTo(plain[i] * (0.5 * ratio + 0.5), within(1e-5));
        // torch's std has Bessel's correction: values 1, 1, 4, 2 → mean 2, squares 1+1+4+0 = 6, /3 → √2
        assertThat(Guidance.std(c)).isCloseTo(Math.sqrt(2), within(1e-12));
    }
}
