package dev.atelier.diffusion.scheduler;

/**
 * DPM-Solver++ 2M (Lu et al. 2022; diffusers' {@code DPMSolverMultistepScheduler} with algorithm_type
 * "dpmsolver++", solver_order 2, midpoint solver, final σ = 0). Works on variance-preserving samples
 * x = α·x₀ + σ_vp·ε with α = 1/√(σ²+1), σ_vp = σ·α, stepping in λ = log α − log σ_vp = −log σ on the data
 * prediction D. The first step (also the first after an img2img start) and the step onto σ = 0 are first order.
 */
final class DpmSolverMultistepScheduler extends DiscreteScheduler {
    private final boolean karras;
    /** σ per step plus the final 0; null until {@link #setTimesteps}. */
    private double[] sigmas;
    /** D of the previous step, valid when {@link #previousIndex} is the step just before the current one. */
    private double[] previousDenoised;
    private int previousIndex = -1;

    DpmSolverMultistepScheduler(SchedulerConfig config, boolean karras) {
        super(config);
        this.karras = karras;
    }

    @Override
    String name() { return karras ? "DPM++ 2M Karras" : "DPM++ 2M"; }

    @Override
    public void setTimesteps(int steps) {
        int trainSteps = schedule.trainSteps();
        ScheduleMath.requireSteps(steps, trainSteps - 1, name());
        TimestepSpacing spacing = config.timestepSpacingOr(TimestepSpacing.LINSPACE);
        double[] candidate = new double[steps];
        switch (spacing) {
            // linspace and leading lay out steps + 1 points and drop the one at 0
            case LINSPACE -> {
                double[] ascending = ScheduleMath.linspace(0, trainSteps - 1, steps + 1);
                for (int i = 0; i < steps; i++) candidate[i] = Math.rint(ascending[steps - i]);
            }
            case LEADING -> {
                int ratio = trainSteps / (steps + 1);
                for (int i = 0; i < steps; i++) candidate[i] = (double) (steps - i) * ratio + config.stepsOffset();
            }
            case TRAILING -> candidate = spacedTimesteps(TimestepSpacing.TRAILING, trainSteps, steps, 0);
        }
        requireWithinTraining(candidate, steps);

        double[] trainingSigmas = schedule.trainingSigmas(config.rescaleBetasZeroSnr());
        double[] stepSigmas = new double[steps];
        if (karras) {
            // unlike Euler, DPM-Solver spans the whole training range of σ
            stepSigmas = ScheduleMath.karrasSigmas(trainingSigmas[0], trainingSigmas[trainSteps - 1], steps);
            double[] logSigmas = new double[trainSteps];
            for (int t = 0; t < trainSteps; t++) logSigmas[t] = Math.log(trainingSigmas[t]);
            for (int i = 0; i < steps; i++) {
                candidate[i] = Math.rint(ScheduleMath.sigmaToTimestep(stepSigmas[i], logSigmas));
            }
        } else {
            for (int i = 0; i < steps; i++) stepSigmas[i] = ScheduleMath.interpolate(candidate[i], trainingSigmas);
        }
        sigmas = new double[steps + 1];
        System.arraycopy(stepSigmas, 0, sigmas, 0, steps);
        timesteps = candidate;
        previousDenoised = null;
        previousIndex = -1;
    }

    /** σ per step followed by the final 0. */
    double[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(modelOutput, sample, "model output and sample");
        int n = sample.length;
        double sigma = sigmas[stepIndex];
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        double sigmaVp = sigma * alpha;
        double[] denoised = new double[n];
        for (int k = 0; k < n; k++) {
            double x = sample[k];
            double out = modelOutput[k];
            denoised[k] = switch (config.predictionType()) {
                case EPSILON -> (x - sigmaVp * out) / alpha;
                case V_PREDICTION -> alpha * x - sigmaVp * out;
                case SAMPLE -> out;
            };
        }

        double sigmaNext = sigmas[stepIndex + 1];
        double alphaNext = 1 / Math.sqrt(sigmaNext * sigmaNext + 1);
        double sigmaVpNext = sigmaNext * alphaNext;
        // e^{−h} = σ_next/σ in Euler σ; 0 on the final step onto σ = 0
        double expMinusH = sigmaNext / sigma;
        double keep = sigmaVpNext / sigmaVp;
        double towardsDenoised = -alphaNext * (expMinusH - 1);
        boolean lastStep = stepIndex == timesteps.length - 1;
        boolean hasHistory = previousDenoised != null && previousIndex == stepIndex - 1 && previousDenoised.length == n;

        float[] next = new float[n];
        if (lastStep || !hasHistory) {
            for (int k = 0; k < n; k++) next[k] = (float) (keep * sample[k] + towardsDenoised * denoised[k]);
        } else {
            double sigmaPrev = sigmas[stepIndex - 1];
            double h = Math.log(sigma / sigmaNext);
            double hPrev = Math.log(sigmaPrev / sigma);
            double r = hPrev / h;
            for (int k = 0; k < n; k++) {
                double d0 = denoised[k];
                double d1 = (d0 - previousDenoised[k]) / r;
                next[k] = (float) (keep * sample[k] + towardsDenoised * d0 + 0.5 * towardsDenoised * d1);
            }
        }
        previousDenoised = denoised;
        previousIndex = stepIndex;
        return next;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(original, noise, "sample and noise");
        double sigma = sigmas[stepIndex];
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        double sigmaVp = sigma * alpha;
        float[] noisy = new float[original.length];
        for (int k = 0; k < noisy.length; k++) noisy[k] = (float) (alpha * original[k] + sigmaVp * noise[k]);
        return noisy;
    }
}
