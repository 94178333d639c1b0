package dev.atelier.diffusion.scheduler;

import java.util.Random;

/**
 * Test-side formulas, written from the published definitions and independent of the production code: the SD
 * noise schedule, the Euler σ at fractional timesteps, oracle models whose ideal x₀ is a known constant, and the
 * pipeline's sampling loop.
 */
final class SchedulerTestSupport {
    private SchedulerTestSupport() {}

    static final int T = 1000;
    private static final double[] SD_ALPHA_BAR = computeSdAlphaBar();

    /**
     * ᾱ_t of Stable Diffusion as diffusers holds it: β = torch.linspace(√0.00085, √0.012, 1000, float32)², and
     * ᾱ_t = Π_{s≤t}(1 − β_s) accumulated in double and stored as float32 (torch's CPU cumprod).
     */
    static double[] sdAlphaBar() {
        return SD_ALPHA_BAR.clone();
    }

    private static double[] computeSdAlphaBar() {
        double[] alphaBar = new double[T];
        float lo = (float) Math.sqrt(0.00085);
        float hi = (float) Math.sqrt(0.012);
        float step = (hi - lo) / (T - 1);
        double product = 1;
        for (int t = 0; t < T; t++) {
            // torch.linspace counts up from the start for the first half and down from the end for the second
            float root = t < T / 2 ? lo + step * t : hi - step * (T - 1 - t);
            float beta = root * root;
            product *= 1f - beta;
            alphaBar[t] = (float) product;
        }
        return alphaBar;
    }

    private static final double[] SD_SIGMAS = sdSigmas();

    /** σ_t = √((1 − ᾱ_t)/ᾱ_t), computed on float32 tensors in diffusers. */
    static double[] sdSigmas() {
        double[] alphaBar = computeSdAlphaBar();
        double[] sigmas = new double[T];
        for (int t = 0; t < T; t++) {
            float a = (float) alphaBar[t];
            sigmas[t] = (float) Math.sqrt((1f - a) / a);
        }
        return sigmas;
    }

    /** σ at a possibly fractional timestep, linear in σ between training timesteps (diffusers' np.interp). */
    static double sigmaAt(double t) {
        double[] sigmas = SD_SIGMAS;
        int low = (int) Math.floor(t);
        if (low >= T - 1) return sigmas[T - 1];
        return sigmas[low] + (t - low) * (sigmas[low + 1] - sigmas[low]);
    }

    /** ᾱ consistent with that σ: ᾱ = 1/(1 + σ²); equals the training ᾱ_t at whole t. */
    static double alphaBarAt(double t) {
        double sigma = sigmaAt(t);
        return 1 / (1 + sigma * sigma);
    }

    @FunctionalInterface
    interface Model {
        float[] predict(float[] input, double timestep);
    }

    /**
     * A model whose ideal x₀ is {@code target} everywhere: for an input x = √ᾱ x₀ + √(1−ᾱ) ε it answers with
     * ε = (x − √ᾱ c)/√(1−ᾱ), v = √ᾱ ε − √(1−ᾱ) c, or c itself.
     */
    static Model oracle(PredictionType type, float[] target) {
        return (input, timestep) -> {
            double alphaBar = alphaBarAt(timestep);
            double a = Math.sqrt(alphaBar);
            double s = Math.sqrt(1 - alphaBar);
            float[] out = new float[input.length];
            for (int k = 0; k < out.length; k++) {
                double eps = (input[k] - a * target[k]) / s;
                out[k] = (float) switch (type) {
                    case EPSILON -> eps;
                    case V_PREDICTION -> a * eps - s * target[k];
                    case SAMPLE -> target[k];
                };
            }
            return out;
        };
    }

    /**
     * The ideal denoiser for data x₀ ~ N(c, s²) per element: at noise level σ (input x = x_σ/√(σ²+1) with
     * x_σ = x₀ + σε) it is D = c + s²/(s² + σ²)·(x_σ − c); answered as ε = (x_σ − D)/σ, v or D. Its
     * probability-flow ODE has the closed form x_σ − c ∝ √(s² + σ²).
     */
    static Model gaussianData(PredictionType type, float[] mean, double spread) {
        return (input, timestep) -> {
            double sigma = sigmaAt(timestep);
            double root = Math.sqrt(sigma * sigma + 1);
            double a = 1 / root;
            double s = sigma / root;
            float[] out = new float[input.length];
            for (int k = 0; k < out.length; k++) {
                double xSigma = input[k] * root;
                double denoised = mean[k] + spread * spread / (spread * spread + sigma * sigma) * (xSigma - mean[k]);
                double eps = (xSigma - denoised) / sigma;
                out[k] = (float) switch (type) {
                    case EPSILON -> eps;
                    case V_PREDICTION -> a * eps - s * denoised;
                    case SAMPLE -> denoised;
                };
            }
            return out;
        };
    }

    /** Where the exact probability-flow ODE takes x_σ from noise level {@code sigmaStart} down to σ = 0. */
    static float[] exactOdeEnd(float[] xSigma, float[] mean, double spread, double sigmaStart) {
        double factor = spread / Math.sqrt(spread * spread + sigmaStart * sigmaStart);
        float[] end = new float[xSigma.length];
        for (int k = 0; k < end.length; k++) end[k] = (float) (mean[k] + factor * (xSigma[k] - mean[k]));
        return end;
    }

    static NoiseSource seededNoise(long seed) {
        Random random = new Random(seed);
        return n -> {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (float) random.nextGaussian();
            return values;
        };
    }

    static float[] gaussian(long seed, int n) {
        return seededNoise(seed).gaussian(n);
    }

    static float[] constant(int n, float... pattern) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = pattern[i % pattern.length];
        return values;
    }

    /** Text-to-image: pure noise scaled by the init sigma, then every step. */
    static float[] sample(Scheduler scheduler, int steps, Model model, long seed, int n) {
        scheduler.setTimesteps(steps);
        NoiseSource noise = seededNoise(seed);
        float[] x = noise.gaussian(n);
        double init = scheduler.initNoiseSigma();
        for (int k = 0; k < n; k++) x[k] = (float) (x[k] * init);
        return loop(scheduler, 0, x, model, noise);
    }

    /** Image-to-image: noise {@code init} to step {@code startIndex}, then step from there. */
    static float[] sampleFrom(Scheduler scheduler, int steps, int startIndex, float[] init, Model model, long seed) {
        scheduler.setTimesteps(steps);
        NoiseSource noise = seededNoise(seed);
        float[] x = scheduler.addNoise(init, noise.gaussian(init.length), startIndex);
        return loop(scheduler, startIndex, x, model, noise);
    }

    static float[] loop(Scheduler scheduler, int startIndex, float[] x, Model model, NoiseSource noise) {
        double[] timesteps = scheduler.timesteps();
        for (int i = startIndex; i < timesteps.length; i++) {
            float[] out = model.predict(scheduler.scaleModelInput(x, i), timesteps[i]);
            x = scheduler.step(out, i, x, noise);
        }
        return x;
    }

    static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int k = 0; k < a.length; k++) max = Math.max(max, Math.abs((double) a[k] - b[k]));
        return max;
    }
}
