package dev.atelier.diffusion.scheduler;

import org.junit.jupiter.api.Test;

import static dev.atelier.diffusion.scheduler.SchedulerTestSupport.sdAlphaBar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** ᾱ of each beta schedule against its definition and known values. */
class NoiseScheduleTest {

    private static final SchedulerConfig SD = SchedulerConfig.stableDiffusionDefaults();

    @Test
    void scaledLinearIsStableDiffusionsSchedule() {
        NoiseSchedule schedule = NoiseSchedule.of(SD);
        double[] expected = sdAlphaBar();
        for (int t : new int[]{0, 1, 250, 500, 981, 999}) {
            assertThat(schedule.alphaCumprod(t)).isCloseTo(expected[t], within(1e-12));
        }
        // 1 − β₀ with β₀ = (float √0.00085)² in float32: 0.99915 to float precision
        float rootStart = (float) Math.sqrt(0.00085);
        assertThat(schedule.alphaCumprod(0)).isEqualTo((double) (1f - rootStart * rootStart));
        assertThat(schedule.alphaCumprod(0)).isCloseTo(0.99915, within(0x1p-24));
        assertThat(schedule.alphaCumprod(500)).isCloseTo(0.27633247, within(1e-8)); // float32 (float64: 0.27633268)
        assertThat(schedule.alphaCumprod(999)).isCloseTo(0.00466010, within(1e-8));
    }

    @Test
    void linearSpacesBetaEvenly() {
        NoiseSchedule schedule = NoiseSchedule.of(SchedulerConfig.parse(
                "{\"beta_schedule\": \"linear\", \"beta_start\": 0.0001, \"beta_end\": 0.02}"));
        // torch.linspace in float32: the ends exact as floats, the first half counted up from the start
        assertThat(schedule.beta(0)).isEqualTo((double) 0.0001f);
        assertThat(schedule.beta(999)).isEqualTo((double) 0.02f);
        assertThat(schedule.beta(333)).isEqualTo((double) (0.0001f + (0.02f - 0.0001f) / 999 * 333));
        assertThat(schedule.alphaCumprod(499)).isCloseTo(0.0785872489, within(1e-9)); // DDPM's schedule in float32
        assertThat(schedule.alphaCumprod(999)).isCloseTo(4.0358298e-5, within(1e-11));
    }

    @Test
    void squaredCosineFollowsTheCosineAlphaBarCappedAt0999() {
        NoiseSchedule schedule = NoiseSchedule.of(SchedulerConfig.parse("{\"beta_schedule\": \"squaredcos_cap_v2\"}"));
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        double f1 = Math.pow(Math.cos((0.001 + 0.008) / 1.008 * Math.PI / 2), 2);
        // computed in Python floats, then stored in a float32 tensor
        assertThat(schedule.beta(0)).isEqualTo((double) (float) (1 - f1 / f0));
        assertThat(schedule.beta(0)).isCloseTo(4.1284225e-5, within(2e-12));
        assertThat(schedule.beta(999)).isEqualTo((double) 0.999f);
        assertThat(schedule.alphaCumprod(500)).isCloseTo(0.4922850430, within(1e-9)); // float32 (float64: 0.4922851724)
    }

    @Test
    void zeroTerminalSnrRescaleKeepsTheFirstAlphaAndZeroesTheLast() {
        NoiseSchedule plain = NoiseSchedule.of(SD);
        NoiseSchedule rescaled = NoiseSchedule.of(SchedulerConfig.parse("{\"rescale_betas_zero_snr\": true}"));
        double first = Math.sqrt(plain.alphaCumprod(0));
        double last = Math.sqrt(plain.alphaCumprod(999));
        for (int t : new int[]{0, 10, 500, 998}) {
            double expectedRoot = (Math.sqrt(plain.alphaCumprod(t)) - last) * first / (first - last);
            // diffusers rescales float32 tensors and takes their cumprod again; the shift by √ᾱ_999 cancels digits,
            // so agreement is to float32 precision relative to √ᾱ₀, not to double precision
            assertThat(Math.sqrt(rescaled.alphaCumprod(t))).isCloseTo(expectedRoot, within(1e-7));
        }
        assertThat(rescaled.alphaCumprod(999)).isZero();
        // the σ-based schedulers lift the last ᾱ to 2⁻²⁴, giving σ_max = √(2²⁴ − 1) ≈ 4096
        SigmaScheduler euler = (SigmaScheduler) Schedulers.create(SchedulerKind.EULER,
                SchedulerConfig.parse("{\"rescale_betas_zero_snr\": true, \"timestep_spacing\": \"trailing\"}"));
        euler.setTimesteps(10);
        assertThat(euler.sigmas()[0]).isEqualTo((double) (float) Math.sqrt(16777215.0)); // float32, as diffusers
    }
}
