package dev.atelier.diffusion.scheduler;

/**
 * DDIM (Song et al. 2021) with η = 0, diffusers' {@code DDIMScheduler}: deterministic; x̂₀ and ε from the
 * model output, then x_prev = √ᾱ_prev·x̂₀ + √(1−ᾱ_prev)·ε with prev = t − T//N.
 */
final class DdimScheduler extends DiscreteScheduler {
    private final double finalAlphaCumprod;

    DdimScheduler(SchedulerConfig config) {
        super(config);
        this.finalAlphaCumprod = finalAlphaCumprod();
    }

    @Override
    String name() { return "DDIM"; }

    @Override
    public void setTimesteps(int steps) {
        int trainSteps = schedule.trainSteps();
        ScheduleMath.requireSteps(steps, trainSteps, name());
        double[] candidate = roundHalfEven(spacedTimesteps(config.timestepSpacingOr(TimestepSpacing.LEADING),
                trainSteps, steps, config.stepsOffset()));
        requireWithinTraining(candidate, steps);
        timesteps = candidate;
    }

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(modelOutput, sample, "model output and sample");
        int t = (int) timesteps[stepIndex];
        int prev = t - schedule.trainSteps() / timesteps.length;
        double alphaBar = schedule.alphaCumprod(t);
        double alphaBarPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
        double sqrtAlphaBar = Math.sqrt(alphaBar);
        double sqrtOneMinusAlphaBar = Math.sqrt(1 - alphaBar);
        double sqrtAlphaBarPrev = Math.sqrt(alphaBarPrev);
        double sqrtOneMinusAlphaBarPrev = Math.sqrt(1 - alphaBarPrev);
        boolean clip = config.clipSample();
        double range = config.clipSampleRange();
        PredictionType type = config.predictionType();
        int n = sample.length;
        double[] x0 = new double[n];
        double[] eps = new double[n];
        for (int k = 0; k < n; k++) {
            double x = sample[k];
            double out = modelOutput[k];
            switch (type) {
                case EPSILON -> {
                    eps[k] = out;
                    x0[k] = (x - sqrtOneMinusAlphaBar * out) / sqrtAlphaBar;
                }
                case SAMPLE -> {
                    x0[k] = out;
                    eps[k] = (x - sqrtAlphaBar * out) / sqrtOneMinusAlphaBar;
                }
                case V_PREDICTION -> {
                    x0[k] = sqrtAlphaBar * x - sqrtOneMinusAlphaBar * out;
                    eps[k] = sqrtAlphaBar * out + sqrtOneMinusAlphaBar * x;
                }
                default -> throw new AssertionError(type);
            }
        }
        // diffusers thresholds or clips x̂₀ but keeps ε as predicted
        if (config.thresholding()) {
            DynamicThresholding.apply(x0, thresholdBatches, config.dynamicThresholdingRatio(), config.sampleMaxValue());
        } else if (clip) {
            for (int k = 0; k < n; k++) x0[k] = Math.clamp(x0[k], -range, range);
        }
        float[] previous = new float[n];
        for (int k = 0; k < n; k++) previous[k] = (float) (sqrtAlphaBarPrev * x0[k] + sqrtOneMinusAlphaBarPrev * eps[k]);
        return previous;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(original, noise, "sample and noise");
        double alphaBar = schedule.alphaCumprod((int) timesteps[stepIndex]);
        double signal = Math.sqrt(alphaBar);
        double noiseScale = Math.sqrt(1 - alphaBar);
        float[] noisy = new float[original.length];
        for (int k = 0; k < noisy.length; k++) noisy[k] = (float) (signal * original[k] + noiseScale * noise[k]);
        return noisy;
    }
}
