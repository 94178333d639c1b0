package dev.atelier.diffusion.scheduler;

/**
 * The training noise schedule β_t, ᾱ_t = Π(1 − β) and the Euler-family σ_t = √((1 − ᾱ_t)/ᾱ_t), built from a
 * {@link SchedulerConfig} with diffusers' precision: β, 1 − β and ᾱ are float32 tensors there (torch.linspace in
 * float32, cumprod accumulated in double and stored as float32), so every value here is a float32 value held in a
 * double.
 */
final class NoiseSchedule {
    /** ᾱ of the last training timestep after a zero-SNR rescale, which would otherwise be exactly 0 (diffusers). */
    static final double ZERO_SNR_LAST_ALPHA_CUMPROD = 0x1p-24;

    private final double[] betas;
    private final double[] alphasCumprod;

    private NoiseSchedule(double[] betas, double[] alphasCumprod) {
        this.betas = betas;
        this.alphasCumprod = alphasCumprod;
    }

    static NoiseSchedule of(SchedulerConfig config) {
        int trainSteps = config.numTrainTimesteps();
        float[] betas = new float[trainSteps];
        if (config.trainedBetas() != null) {
            double[] trained = config.trainedBetas();
            for (int t = 0; t < trainSteps; t++) betas[t] = (float) trained[t];
        } else {
            betas = switch (config.betaSchedule()) {
                case LINEAR -> torchLinspace(config.betaStart(), config.betaEnd(), trainSteps);
                case SCALED_LINEAR -> {
                    float[] roots = torchLinspace(Math.sqrt(config.betaStart()), Math.sqrt(config.betaEnd()),
                            trainSteps);
                    for (int i = 0; i < roots.length; i++) roots[i] *= roots[i];
                    yield roots;
                }
                case SQUAREDCOS_CAP_V2 -> {
                    // computed in Python floats, then made a float32 tensor
                    double[] cosine = cosineBetas(trainSteps);
                    float[] rounded = new float[trainSteps];
                    for (int t = 0; t < trainSteps; t++) rounded[t] = (float) cosine[t];
                    yield rounded;
                }
            };
        }
        if (config.rescaleBetasZeroSnr()) betas = rescaleToZeroTerminalSnr(betas);
        float[] alphasCumprod = cumprodOfOneMinus(betas);
        double[] betasOut = new double[trainSteps];
        double[] alphaBarOut = new double[trainSteps];
        for (int t = 0; t < trainSteps; t++) {
            betasOut[t] = betas[t];
            alphaBarOut[t] = alphasCumprod[t];
        }
        return new NoiseSchedule(betasOut, alphaBarOut);
    }

    /**
     * torch.linspace(start, stop, n, dtype=float32) on the CPU: the ends become floats, the step is a float, the
     * first half counts up from start and the second half down from stop.
     */
    static float[] torchLinspace(double start, double stop, int n) {
        float[] values = new float[n];
        float from = (float) start;
        float to = (float) stop;
        if (n == 1) {
            values[0] = from;
            return values;
        }
        float step = (to - from) / (n - 1);
        int halfway = n / 2;
        for (int i = 0; i < n; i++) values[i] = i < halfway ? from + step * i : to - step * (n - 1 - i);
        return values;
    }

    /** torch.cumprod(1 − β) for float32: the running product is kept in double, each entry stored as float. */
    private static float[] cumprodOfOneMinus(float[] betas) {
        float[] out = new float[betas.length];
        double product = 1.0;
        for (int t = 0; t < betas.length; t++) {
            product *= (1f - betas[t]);
            out[t] = (float) product;
        }
        return out;
    }

    /** β_t = min(1 − ᾱ((t+1)/T)/ᾱ(t/T), 0.999) with ᾱ(s) = cos²((s + 0.008)/1.008 · π/2). */
    private static double[] cosineBetas(int trainSteps) {
        double[] betas = new double[trainSteps];
        for (int t = 0; t < trainSteps; t++) {
            double from = cosineAlphaBar((double) t / trainSteps);
            double to = cosineAlphaBar((double) (t + 1) / trainSteps);
            betas[t] = Math.min(1.0 - to / from, 0.999);
        }
        return betas;
    }

    private static double cosineAlphaBar(double s) {
        double c = Math.cos((s + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** Lin et al. 2023: shift and scale √ᾱ so the last timestep has √ᾱ = 0 while the first keeps its value. */
    private static float[] rescaleToZeroTerminalSnr(float[] betas) {
        int n = betas.length;
        float[] alphaBar = cumprodOfOneMinus(betas);
        float[] root = new float[n];
        for (int t = 0; t < n; t++) root[t] = (float) Math.sqrt(alphaBar[t]);
        float first = root[0];
        float last = root[n - 1];
        float[] rescaledBar = new float[n];
        for (int t = 0; t < n; t++) {
            float shifted = root[t] - last;
            float scaled = shifted * (first / (first - last));
            rescaledBar[t] = scaled * scaled;
        }
        float[] rescaled = new float[n];
        rescaled[0] = 1f - rescaledBar[0];
        for (int t = 1; t < n; t++) rescaled[t] = 1f - rescaledBar[t] / rescaledBar[t - 1];
        return rescaled;
    }

    int trainSteps() { return alphasCumprod.length; }

    double beta(int t) { return betas[t]; }

    double alphaCumprod(int t) { return alphasCumprod[t]; }

    /** ᾱ with the last value lifted off zero, as the σ-parameterised schedulers need a finite σ_max. */
    double[] alphasCumprodForSigmas(boolean zeroSnr) {
        double[] copy = alphasCumprod.clone();
        if (zeroSnr) copy[copy.length - 1] = ZERO_SNR_LAST_ALPHA_CUMPROD;
        return copy;
    }

    /** σ_t = √((1 − ᾱ_t)/ᾱ_t) for every training timestep t, ascending in t. */
    double[] trainingSigmas(boolean zeroSnr) {
        double[] alphaBar = alphasCumprodForSigmas(zeroSnr);
        double[] sigmas = new double[alphaBar.length];
        for (int t = 0; t < sigmas.length; t++) {
            float a = (float) alphaBar[t];
            sigmas[t] = (float) Math.sqrt((1f - a) / a); // float32 tensor arithmetic in diffusers
        }
        return sigmas;
    }
}
