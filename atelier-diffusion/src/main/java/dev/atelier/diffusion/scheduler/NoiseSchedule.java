package dev.atelier.diffusion.scheduler;

/**
 * The training noise schedule in float64: β_t, ᾱ_t = Π(1 − β) and the Euler-family σ_t = √((1 − ᾱ_t)/ᾱ_t),
 * built from a {@link SchedulerConfig} as diffusers builds it.
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
        double[] betas;
        if (config.trainedBetas() != null) {
            betas = config.trainedBetas();
        } else {
            betas = switch (config.betaSchedule()) {
                case LINEAR -> ScheduleMath.linspace(config.betaStart(), config.betaEnd(), trainSteps);
                case SCALED_LINEAR -> {
                    double[] roots = ScheduleMath.linspace(Math.sqrt(config.betaStart()),
                            Math.sqrt(config.betaEnd()), trainSteps);
                    for (int i = 0; i < roots.length; i++) roots[i] *= roots[i];
                    yield roots;
                }
                case SQUAREDCOS_CAP_V2 -> cosineBetas(trainSteps);
            };
        }
        if (config.rescaleBetasZeroSnr()) betas = rescaleToZeroTerminalSnr(betas);
        double[] alphasCumprod = new double[trainSteps];
        double product = 1.0;
        for (int t = 0; t < trainSteps; t++) {
            product *= 1.0 - betas[t];
            alphasCumprod[t] = product;
        }
        return new NoiseSchedule(betas, alphasCumprod);
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
    private static double[] rescaleToZeroTerminalSnr(double[] betas) {
        int n = betas.length;
        double[] sqrtAlphaBar = new double[n];
        double product = 1.0;
        for (int t = 0; t < n; t++) {
            product *= 1.0 - betas[t];
            sqrtAlphaBar[t] = Math.sqrt(product);
        }
        double first = sqrtAlphaBar[0];
        double last = sqrtAlphaBar[n - 1];
        double[] alphaBar = new double[n];
        for (int t = 0; t < n; t++) {
            double rescaled = (sqrtAlphaBar[t] - last) * first / (first - last);
            alphaBar[t] = rescaled * rescaled;
        }
        double[] rescaledBetas = new double[n];
        rescaledBetas[0] = 1.0 - alphaBar[0];
        for (int t = 1; t < n; t++) rescaledBetas[t] = 1.0 - alphaBar[t] / alphaBar[t - 1];
        return rescaledBetas;
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
        for (int t = 0; t < sigmas.length; t++) sigmas[t] = Math.sqrt((1.0 - alphaBar[t]) / alphaBar[t]);
        return sigmas;
    }
}
