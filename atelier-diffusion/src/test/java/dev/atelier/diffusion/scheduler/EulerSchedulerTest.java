package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;
import org.junit.jupiter.api.Test;

import static dev.atelier.diffusion.scheduler.SchedulerTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Euler and ancestral Euler against the k-diffusion / diffusers formulas in σ. */
class EulerSchedulerTest {

    private static final SchedulerConfig SD = SchedulerConfig.stableDiffusionDefaults();
    private static final double SIGMA_MAX_SD = 14.6146469; // √((1−ᾱ_999)/ᾱ_999) of SD in float32, as diffusers has it
    private static final NoiseSource NO_NOISE = n -> new float[n];

    private static SigmaScheduler euler(SchedulerConfig config) {
        return (SigmaScheduler) Schedulers.create(SchedulerKind.EULER, config);
    }

    @Test
    void defaultLinspaceSpacingStartsAtSigmaMaxAndEndsAtZero() {
        SigmaScheduler scheduler = euler(SD); // the SD 1.5 config names no spacing: Euler's default is linspace
        scheduler.setTimesteps(50);
        double[] timesteps = scheduler.timesteps();
        assertThat(timesteps).hasSize(50);
        for (int i = 0; i < 50; i++) assertThat(timesteps[i]).isCloseTo(999.0 * (49 - i) / 49, within(1e-4));
        double[] sigmas = scheduler.sigmas();
        assertThat(sigmas).hasSize(51);
        assertThat(sigmas[0]).isCloseTo(SIGMA_MAX_SD, within(1e-6));
        assertThat(sigmas[1]).isCloseTo(sigmaAt(999.0 * 48 / 49), within(1e-5));
        assertThat(sigmas[1]).isCloseTo(12.93677316, within(1e-5)); // σ interpolated between t = 978 and 979
        // σ at t = 0, from ᾱ₀ = 1 − (float √0.00085)² in float32 arithmetic as diffusers
        float rootStart = (float) Math.sqrt(0.00085);
        float alphaBar0 = 1f - rootStart * rootStart;
        assertThat(sigmas[49]).isEqualTo((double) (float) Math.sqrt((1f - alphaBar0) / alphaBar0));
        assertThat(sigmas[50]).isZero();
        assertThat(scheduler.initNoiseSigma()).isCloseTo(SIGMA_MAX_SD, within(1e-6));
    }

    @Test
    void initNoiseSigmaDependsOnTheSpacing() {
        SigmaScheduler leading = euler(SD.withTimestepSpacing(TimestepSpacing.LEADING));
        leading.setTimesteps(50);
        assertThat(leading.timesteps()[0]).isEqualTo(981);
        assertThat(leading.timesteps()[49]).isEqualTo(1);
        double sigma981 = sigmaAt(981);
        assertThat(leading.initNoiseSigma()).isCloseTo(Math.sqrt(sigma981 * sigma981 + 1), within(1e-6));
        assertThat(leading.initNoiseSigma()).isCloseTo(13.1584692, within(1e-6)); // float32, as diffusers

        SigmaScheduler trailing = euler(SD.withTimestepSpacing(TimestepSpacing.TRAILING));
        trailing.setTimesteps(50);
        assertThat(trailing.timesteps()[0]).isEqualTo(999);
        assertThat(trailing.timesteps()[49]).isEqualTo(19);
        assertThat(trailing.initNoiseSigma()).isCloseTo(SIGMA_MAX_SD, within(1e-6));
    }

    @Test
    void karrasSigmasFollowTheRhoSevenFormulaBetweenTheScheduleEnds() {
        SigmaScheduler scheduler = euler(SD.withKarrasSigmas(true));
        scheduler.setTimesteps(10);
        double sigmaMin = sigmaAt(0);
        double sigmaMax = sigmaAt(999);
        double[] sigmas = scheduler.sigmas();
        for (int i = 0; i < 10; i++) {
            double root = Math.pow(sigmaMax, 1 / 7.0) + i / 9.0 * (Math.pow(sigmaMin, 1 / 7.0) - Math.pow(sigmaMax, 1 / 7.0));
            assertThat(sigmas[i]).isCloseTo(Math.pow(root, 7), within(1e-6));
        }
        assertThat(sigmas[10]).isZero();
        // timesteps follow σ by log-linear interpolation: the ends map back to 999 and 0
        double[] timesteps = scheduler.timesteps();
        assertThat(timesteps[0]).isCloseTo(999, within(1e-4));
        assertThat(timesteps[9]).isCloseTo(0, within(1e-4));
        for (int i = 1; i < 9; i++) {
            double t = timesteps[i];
            int low = (int) Math.floor(t);
            double w = t - low;
            double logSigma = (1 - w) * Math.log(sigmaAt(low)) + w * Math.log(sigmaAt(low + 1));
            assertThat(logSigma).isCloseTo(Math.log(sigmas[i]), within(1e-6));
        }
    }

    @Test
    void modelInputIsDividedBySqrtOfSigmaSquaredPlusOne() {
        SigmaScheduler scheduler = euler(SD);
        scheduler.setTimesteps(10);
        float[] in = scheduler.scaleModelInput(new float[]{2f, -4f}, 0);
        double scale = Math.sqrt(SIGMA_MAX_SD * SIGMA_MAX_SD + 1);
        assertThat((double) in[0]).isCloseTo(2 / scale, within(1e-6));
        assertThat((double) in[1]).isCloseTo(-4 / scale, within(1e-6));
    }

    @Test
    void oneEpsilonStepIsXPlusEpsilonTimesTheSigmaDrop() {
        SigmaScheduler scheduler = euler(SD);
        scheduler.setTimesteps(10); // t = 999, 888, …
        double sigma = SIGMA_MAX_SD;
        double sigmaNext = sigmaAt(888);
        float x = 7f;
        float eps = -1.3f;
        double x0 = x - sigma * eps;
        double expected = x + (x - x0) / sigma * (sigmaNext - sigma);
        assertThat((double) scheduler.step(new float[]{eps}, 0, new float[]{x}, NO_NOISE)[0])
                .isCloseTo(expected, within(1e-5));
    }

    @Test
    void oneVPredictionStepUsesTheSigmaFormOfX0() {
        SigmaScheduler scheduler = euler(SD.withPredictionType(PredictionType.V_PREDICTION));
        scheduler.setTimesteps(10);
        double sigma = sigmaAt(555);
        double sigmaNext = sigmaAt(444);
        float x = 1.5f;
        float v = 0.4f;
        double x0 = -v * sigma / Math.sqrt(sigma * sigma + 1) + x / (sigma * sigma + 1);
        double expected = x + (x - x0) / sigma * (sigmaNext - sigma);
        assertThat((double) scheduler.step(new float[]{v}, 4, new float[]{x}, NO_NOISE)[0])
                .isCloseTo(expected, within(1e-5));
    }

    @Test
    void addNoiseAddsSigmaTimesNoise() {
        SigmaScheduler scheduler = euler(SD);
        scheduler.setTimesteps(10);
        float[] noisy = scheduler.addNoise(new float[]{0.5f}, new float[]{2f}, 3); // t = 666
        assertThat((double) noisy[0]).isCloseTo(0.5 + 2 * sigmaAt(666), within(1e-5));
    }

    @Test
    void ancestralStepSplitsTheNextSigmaIntoDownAndUp() {
        Scheduler scheduler = Schedulers.create(SchedulerKind.EULER_ANCESTRAL, SD);
        scheduler.setTimesteps(10);
        double sigma = sigmaAt(777);
        double sigmaNext = sigmaAt(666);
        double up = Math.sqrt(sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext) / (sigma * sigma));
        double down = Math.sqrt(sigmaNext * sigmaNext - up * up);
        float x = 3f;
        float eps = 0.6f;
        float z = -0.8f;
        double expected = x + eps * (down - sigma) + z * up;
        float[] out = scheduler.step(new float[]{eps}, 2, new float[]{x}, n -> new float[]{z});
        assertThat((double) out[0]).isCloseTo(expected, within(1e-5));
        // the final step goes to σ = 0: diffusers still draws noise there (keeping later draws in step), but with
        // σ_up = 0 it does not reach the result, which is x̂₀
        float[] last = scheduler.step(new float[]{eps}, 9, new float[]{x}, n -> new float[]{1e6f});
        assertThat((double) last[0]).isCloseTo(x - sigmaAt(0) * eps, within(1e-6));
    }

    @Test
    void ancestralRejectsSamplePrediction() {
        assertThatThrownBy(() -> Schedulers.create(SchedulerKind.EULER_ANCESTRAL,
                SD.withPredictionType(PredictionType.SAMPLE)))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("sample");
    }
}
