package dev.atelier.diffusion.scheduler;

/**
 * The Euler family's shared half (diffusers' {@code EulerDiscreteScheduler} and its ancestral sibling): samples
 * live in the σ-parameterisation x = x₀ + σ·ε with σ = √((1−ᾱ)/ᾱ) interpolated at the chosen timesteps and a final
 * σ = 0; the model sees x/√(σ²+1).
 */
abstract class SigmaScheduler extends DiscreteScheduler {
    /** σ per step plus the trailing 0; null until {@link #setTimesteps}. */
    protected double[] sigmas;
    private double initNoiseSigma;

    SigmaScheduler(SchedulerConfig config) {
        super(config);
    }

    /** Whether σ is respaced by Karras et al.'s rule (the timesteps then follow σ). */
    abstract boolean karras();

    /** Where the last step lands; Euler follows the config, the ancestral sampler always ends at σ = 0. */
    FinalSigmas finalSigmas() { return config.finalSigmasType(); }

    /** Whether the model is fed ¼·ln σ instead of t (Euler's timestep_type "continuous"). */
    boolean continuousTimesteps() { return config.continuousTimesteps(); }

    @Override
    public void setTimesteps(int steps) {
        int trainSteps = schedule.trainSteps();
        ScheduleMath.requireSteps(steps, trainSteps, name());
        TimestepSpacing spacing = config.timestepSpacingOr(TimestepSpacing.LINSPACE);
        double[] candidate = spacedTimesteps(spacing, trainSteps, steps, config.stepsOffset());
        // diffusers keeps these timesteps as float32
        for (int i = 0; i < candidate.length; i++) candidate[i] = (float) candidate[i];
        requireWithinTraining(candidate, steps);

        double[] trainingSigmas = schedule.trainingSigmas(config.rescaleBetasZeroSnr());
        double[] stepSigmas = new double[steps];
        for (int i = 0; i < steps; i++) stepSigmas[i] = ScheduleMath.interpolate(candidate[i], trainingSigmas);
        if (karras()) {
            double low = Double.isNaN(config.sigmaMin()) ? stepSigmas[steps - 1] : config.sigmaMin();
            double high = Double.isNaN(config.sigmaMax()) ? stepSigmas[0] : config.sigmaMax();
            stepSigmas = ScheduleMath.karrasSigmas(low, high, steps);
            double[] logSigmas = ScheduleMath.float32Logs(trainingSigmas);
            for (int i = 0; i < steps; i++) {
                candidate[i] = (float) ScheduleMath.sigmaToTimestep(stepSigmas[i], logSigmas);
            }
        }
        double[] withFinal = new double[steps + 1];
        // diffusers keeps σ as float32
        for (int i = 0; i < steps; i++) withFinal[i] = (float) stepSigmas[i];
        withFinal[steps] = finalSigmas() == FinalSigmas.SIGMA_MIN ? trainingSigmas[0] : 0.0;
        if (continuousTimesteps() && config.predictionType() == PredictionType.V_PREDICTION) {
            // diffusers' timestep_type "continuous" (v-prediction only): the model sees ¼·ln σ
            for (int i = 0; i < steps; i++) candidate[i] = (float) (0.25 * Math.log((float) withFinal[i]));
        }

        float maxSigma = 0;
        for (int i = 0; i < steps; i++) maxSigma = Math.max(maxSigma, (float) withFinal[i]);
        // leading spacing does not start at T−1, so its initial noise also carries the unit signal variance
        initNoiseSigma = spacing == TimestepSpacing.LEADING ? (float) Math.sqrt(maxSigma * maxSigma + 1f) : maxSigma;
        sigmas = withFinal;
        timesteps = candidate;
    }

    /** σ per step followed by the final 0. */
    double[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    public double initNoiseSigma() {
        requireTimesteps();
        return initNoiseSigma;
    }

    @Override
    public float[] scaleModelInput(float[] sample, int stepIndex) {
        checkStepIndex(stepIndex);
        double sigma = sigmas[stepIndex];
        double scale = 1 / Math.sqrt(sigma * sigma + 1);
        float[] scaled = new float[sample.length];
        for (int k = 0; k < scaled.length; k++) scaled[k] = (float) (sample[k] * scale);
        return scaled;
    }

    /** x̂₀ from the model output at σ: ε → x − σε, v → x/(σ²+1) − σ/√(σ²+1)·v, sample → itself. */
    protected final double predictedOriginal(double x, double out, double sigma) {
        return switch (config.predictionType()) {
            case EPSILON -> x - sigma * out;
            case V_PREDICTION -> out * (-sigma / Math.sqrt(sigma * sigma + 1)) + x / (sigma * sigma + 1);
            case SAMPLE -> out;
        };
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(original, noise, "sample and noise");
        double sigma = sigmas[stepIndex];
        float[] noisy = new float[original.length];
        for (int k = 0; k < noisy.length; k++) noisy[k] = (float) (original[k] + sigma * noise[k]);
        return noisy;
    }
}
