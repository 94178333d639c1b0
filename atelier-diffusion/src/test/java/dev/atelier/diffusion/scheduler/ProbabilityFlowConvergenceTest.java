package dev.atelier.diffusion.scheduler;

import org.junit.jupiter.api.Test;

import static dev.atelier.diffusion.scheduler.SchedulerTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deterministic samplers against a closed form: for data x₀ ~ N(c, s²) and its exact denoiser the
 * probability-flow ODE gives x_σ − c = √((s² + σ²)/(s² + σ₀²))·(x_σ₀ − c). Every sampler ends with a jump from its
 * last noise level σ_L straight to x̂₀ = D(x_σL), so the end it should reach is
 * c + s²/√((s² + σ_L²)(s² + σ₀²))·(x_σ₀ − c). Euler and DDIM approach it at first order in the step count,
 * DPM-Solver++ 2M with Karras sigmas at second order.
 */
class ProbabilityFlowConvergenceTest {

    private static final int N = 64;
    private static final float[] MEAN = constant(N, 0.8f, -0.3f, 0.1f, -0.9f);
    private static final double SPREAD = 0.5;
    private static final SchedulerConfig SD = SchedulerConfig.stableDiffusionDefaults().withSetAlphaToOne(true);

    /** Max error against the closed form after sampling {@code steps} from noise, or from {@code start} (img2img). */
    private static double error(SchedulerKind kind, SchedulerConfig config, int steps, int start) {
        Scheduler scheduler = Schedulers.create(kind, config);
        scheduler.setTimesteps(steps);
        NoiseSource noise = seededNoise(5);
        float[] x;
        if (start == 0) {
            x = noise.gaussian(N);
            for (int k = 0; k < N; k++) x[k] *= (float) scheduler.initNoiseSigma();
        } else {
            x = scheduler.addNoise(constant(N, 0.2f, -0.6f), noise.gaussian(N), start);
        }
        double[] sigmas = noiseLevels(scheduler);
        double sigmaStart = sigmas[start];
        double sigmaLast = sigmas[steps - 1];
        // DDIM and DPM-Solver keep x = α·x_σ; the closed form is in x_σ
        float[] xSigma = x.clone();
        if (!(scheduler instanceof SigmaScheduler)) {
            for (int k = 0; k < N; k++) xSigma[k] = (float) (x[k] * Math.sqrt(sigmaStart * sigmaStart + 1));
        }
        double s2 = SPREAD * SPREAD;
        double factor = s2 / Math.sqrt((s2 + sigmaLast * sigmaLast) * (s2 + sigmaStart * sigmaStart));
        float[] expected = new float[N];
        for (int k = 0; k < N; k++) expected[k] = (float) (MEAN[k] + factor * (xSigma[k] - MEAN[k]));
        float[] result = loop(scheduler, start, x, gaussianData(PredictionType.EPSILON, MEAN, SPREAD), noise);
        return maxAbsDifference(result, expected);
    }

    /** σ of each step: the scheduler's own for σ-based ones, else from the timestep (whole for DDIM). */
    private static double[] noiseLevels(Scheduler scheduler) {
        if (scheduler instanceof SigmaScheduler s) return s.sigmas();
        if (scheduler instanceof DpmSolverMultistepScheduler s) return s.sigmas();
        double[] timesteps = scheduler.timesteps();
        double[] sigmas = new double[timesteps.length];
        for (int i = 0; i < sigmas.length; i++) sigmas[i] = sigmaAt(timesteps[i]);
        return sigmas;
    }

    @Test
    void dpmSolverPlusPlus2mKarrasConvergesAtSecondOrder() {
        double e20 = error(SchedulerKind.DPMPP_2M_KARRAS, SD, 20, 0);
        double e40 = error(SchedulerKind.DPMPP_2M_KARRAS, SD, 40, 0);
        double e80 = error(SchedulerKind.DPMPP_2M_KARRAS, SD, 80, 0);
        double e160 = error(SchedulerKind.DPMPP_2M_KARRAS, SD, 160, 0);
        assertThat(e20 / e40).isGreaterThan(3);
        assertThat(e80 / e160).isGreaterThan(3);
        assertThat(e160).isLessThan(1e-3);
    }

    @Test
    void eulerAndDdimConvergeAtFirstOrder() {
        for (SchedulerConfig config : new SchedulerConfig[]{SD, SD.withKarrasSigmas(true)}) {
            double e40 = error(SchedulerKind.EULER, config, 40, 0);
            double e80 = error(SchedulerKind.EULER, config, 80, 0);
            double e160 = error(SchedulerKind.EULER, config, 160, 0);
            assertThat(e40 / e80).isBetween(1.7, 2.3);
            assertThat(e80 / e160).isBetween(1.7, 2.3);
        }
        double d40 = error(SchedulerKind.DDIM, SD, 40, 0);
        double d80 = error(SchedulerKind.DDIM, SD, 80, 0);
        double d160 = error(SchedulerKind.DDIM, SD, 160, 0);
        assertThat(d40 / d80).isBetween(1.7, 2.3);
        assertThat(d80 / d160).isBetween(1.7, 2.3);
        assertThat(d160).isLessThan(0.03);
    }

    @Test
    void secondOrderBeatsFirstOrderWithAQuarterOfTheSteps() {
        double dpm = error(SchedulerKind.DPMPP_2M_KARRAS, SD, 40, 0);
        double euler = error(SchedulerKind.EULER, SD.withKarrasSigmas(true), 160, 0);
        assertThat(dpm).isLessThan(euler);
    }

    @Test
    void imageToImageFollowsTheOdeFromTheStartingNoiseLevel() {
        // noised to σ of step 30 of 80 and solved from there; one step off would start at a different σ
        assertThat(error(SchedulerKind.DPMPP_2M_KARRAS, SD, 80, 30)).isLessThan(2e-3);
        assertThat(error(SchedulerKind.EULER, SD.withKarrasSigmas(true), 160, 60)).isLessThan(2e-2);
        assertThat(error(SchedulerKind.DDIM, SD, 160, 60)).isLessThan(3e-2);
    }
}
