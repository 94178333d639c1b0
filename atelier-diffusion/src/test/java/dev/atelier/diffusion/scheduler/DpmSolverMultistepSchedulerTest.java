package dev.atelier.diffusion.scheduler;

import org.junit.jupiter.api.Test;

import static dev.atelier.diffusion.scheduler.SchedulerTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** DPM-Solver++ 2M against the formulas of Lu et al. in λ = −log σ, as diffusers applies them. */
class DpmSolverMultistepSchedulerTest {

    private static final SchedulerConfig SD = SchedulerConfig.stableDiffusionDefaults();
    private static final NoiseSource NO_NOISE = n -> new float[n];

    private static DpmSolverMultistepScheduler dpm(SchedulerConfig config, boolean karras) {
        return (DpmSolverMultistepScheduler) Schedulers.create(
                karras ? SchedulerKind.DPMPP_2M_KARRAS : SchedulerKind.DPMPP_2M, config);
    }

    @Test
    void linspaceTimestepsDropTheZeroOfStepsPlusOnePoints() {
        DpmSolverMultistepScheduler scheduler = dpm(SD, false);
        scheduler.setTimesteps(20); // round(linspace(0, 999, 21)) without 0, half to even at 499.5
        assertThat(scheduler.timesteps()).containsExactly(999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450,
                400, 350, 300, 250, 200, 150, 100, 50);
        double[] sigmas = scheduler.sigmas();
        assertThat(sigmas[0]).isCloseTo(14.6146469, within(1e-6)); // float32, as diffusers
        assertThat(sigmas[10]).isCloseTo(sigmaAt(500), within(1e-9));
        assertThat(sigmas[20]).isZero();
        assertThat(scheduler.initNoiseSigma()).isEqualTo(1.0);
    }

    @Test
    void leadingAndTrailingTimesteps() {
        DpmSolverMultistepScheduler leading = dpm(SD.withTimestepSpacing(TimestepSpacing.LEADING), false);
        leading.setTimesteps(4); // 1000 // 5 = 200: 800, 600, 400, 200, plus steps_offset 1
        assertThat(leading.timesteps()).containsExactly(801, 601, 401, 201);
        DpmSolverMultistepScheduler trailing = dpm(SD.withTimestepSpacing(TimestepSpacing.TRAILING), false);
        trailing.setTimesteps(4);
        assertThat(trailing.timesteps()).containsExactly(999, 749, 499, 249);
    }

    @Test
    void karrasSigmasSpanTheWholeTrainingRange() {
        DpmSolverMultistepScheduler scheduler = dpm(SD, true);
        scheduler.setTimesteps(15);
        double sigmaMin = sigmaAt(0);
        double sigmaMax = sigmaAt(999);
        double[] sigmas = scheduler.sigmas();
        double[] timesteps = scheduler.timesteps();
        for (int i = 0; i < 15; i++) {
            double root = Math.pow(sigmaMax, 1 / 7.0)
                    + i / 14.0 * (Math.pow(sigmaMin, 1 / 7.0) - Math.pow(sigmaMax, 1 / 7.0));
            assertThat(sigmas[i]).isCloseTo(Math.pow(root, 7), within(1e-6));
            // each timestep is the whole t nearest the log-σ interpolated position of σ_i
            assertThat(timesteps[i]).isEqualTo(Math.rint(timesteps[i]));
            assertThat(timesteps[i]).isCloseTo(fractionalTimestep(sigmas[i]), within(0.5 + 1e-9));
        }
        assertThat(timesteps[0]).isEqualTo(999);
        assertThat(timesteps[14]).isEqualTo(0);
        assertThat(sigmas[15]).isZero();
    }

    /** t with log σ linear between the neighbouring training timesteps. */
    private static double fractionalTimestep(double sigma) {
        for (int t = 0; t < T - 1; t++) {
            double low = Math.log(sigmaAt(t));
            double high = Math.log(sigmaAt(t + 1));
            if (Math.log(sigma) >= low && Math.log(sigma) <= high) return t + (Math.log(sigma) - low) / (high - low);
        }
        return Math.log(sigma) < Math.log(sigmaAt(0)) ? 0 : T - 1;
    }

    @Test
    void firstStepIsFirstOrderAndLaterStepsUseTheMidpointCorrection() {
        DpmSolverMultistepScheduler scheduler = dpm(SD, false);
        scheduler.setTimesteps(20);
        double s0 = sigmaAt(999);
        double s1 = sigmaAt(949);
        double s2 = sigmaAt(899);
        float x = 0.9f;
        float eps0 = 0.4f;
        float eps1 = -0.7f;

        // step 0, first order: x₁ = (σvp₁/σvp₀)·x − α₁(e^{−h} − 1)·D₀ with D₀ = (x − σvp₀ ε)/α₀
        double a0 = alpha(s0);
        double a1 = alpha(s1);
        double d0 = (x - s0 * a0 * eps0) / a0;
        double h0 = Math.log(s0 / s1);
        double x1 = (s1 * a1) / (s0 * a0) * x - a1 * (Math.exp(-h0) - 1) * d0;
        float[] out1 = scheduler.step(new float[]{eps0}, 0, new float[]{x}, NO_NOISE);
        assertThat((double) out1[0]).isCloseTo(x1, within(1e-5));

        // step 1, second order: D₁' = (D₁ − D₀)/r with r = h₀/h₁, plus −½α₂(e^{−h₁} − 1)·D₁'
        double a2 = alpha(s2);
        double d1 = (out1[0] - s1 * a1 * eps1) / a1;
        double h1 = Math.log(s1 / s2);
        double r = h0 / h1;
        double x2 = (s2 * a2) / (s1 * a1) * out1[0] - a2 * (Math.exp(-h1) - 1) * d1
                - 0.5 * a2 * (Math.exp(-h1) - 1) * (d1 - d0) / r;
        float[] out2 = scheduler.step(new float[]{eps1}, 1, out1, NO_NOISE);
        assertThat((double) out2[0]).isCloseTo(x2, within(1e-5));
    }

    @Test
    void lastStepIsFirstOrderOntoSigmaZeroAndReturnsTheDenoisedSample() {
        DpmSolverMultistepScheduler scheduler = dpm(SD.withPredictionType(PredictionType.V_PREDICTION), false);
        scheduler.setTimesteps(3); // t = 999, 666, 333
        float x = 0.3f;
        float v = 0.2f;
        scheduler.step(new float[]{0.1f}, 0, new float[]{x}, NO_NOISE);
        scheduler.step(new float[]{0.1f}, 1, new float[]{x}, NO_NOISE);
        double s = sigmaAt(333);
        double a = alpha(s);
        double expected = a * x - s * a * v; // x̂₀ from v: α·x − σvp·v
        assertThat((double) scheduler.step(new float[]{v}, 2, new float[]{x}, NO_NOISE)[0])
                .isCloseTo(expected, within(1e-6));
    }

    @Test
    void startingMidScheduleHasNoHistoryAndIsFirstOrder() {
        DpmSolverMultistepScheduler scheduler = dpm(SD, false);
        scheduler.setTimesteps(20);
        double s = sigmaAt(599);
        double sNext = sigmaAt(549);
        float x = -0.5f;
        float eps = 0.25f;
        double d = (x - s * alpha(s) * eps) / alpha(s);
        double expected = (sNext * alpha(sNext)) / (s * alpha(s)) * x
                - alpha(sNext) * (Math.exp(-Math.log(s / sNext)) - 1) * d;
        assertThat((double) scheduler.step(new float[]{eps}, 8, new float[]{x}, NO_NOISE)[0])
                .isCloseTo(expected, within(1e-5));
    }

    @Test
    void addNoiseIsVariancePreserving() {
        DpmSolverMultistepScheduler scheduler = dpm(SD, false);
        scheduler.setTimesteps(20);
        double s = sigmaAt(500);
        float[] noisy = scheduler.addNoise(new float[]{0.8f}, new float[]{-1f}, 10);
        assertThat((double) noisy[0]).isCloseTo(alpha(s) * 0.8 - s * alpha(s), within(1e-6));
        // equals √ᾱ·x₀ + √(1−ᾱ)·ε at the training ᾱ of t = 500
        double alphaBar = sdAlphaBar()[500];
        assertThat((double) noisy[0]).isCloseTo(Math.sqrt(alphaBar) * 0.8 - Math.sqrt(1 - alphaBar), within(1e-6));
    }

    private static double alpha(double sigma) {
        return 1 / Math.sqrt(sigma * sigma + 1);
    }
}
