package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;

/**
 * Latent Consistency Model multistep sampling (Luo et al. 2023; diffusers' {@code LCMScheduler}). Timesteps are
 * picked from the distillation schedule of {@code original_inference_steps}; each step predicts x₀, applies the
 * consistency boundary condition c_skip·x + c_out·x̂₀ and, except on the last step, re-noises the result to the
 * next timestep with fresh noise. The last step returns the denoised x₀.
 */
final class LcmScheduler extends DiscreteScheduler {
    private static final double SIGMA_DATA = 0.5;

    private final double finalAlphaCumprod;

    LcmScheduler(SchedulerConfig config) {
        super(config);
        this.finalAlphaCumprod = finalAlphaCumprod();
    }

    @Override
    String name() { return "LCM"; }

    @Override
    public void setTimesteps(int steps) {
        int trainSteps = schedule.trainSteps();
        int originalSteps = config.originalInferenceSteps();
        if (originalSteps > trainSteps) {
            throw new AtelierException("original_inference_steps " + originalSteps + " exceeds num_train_timesteps "
                    + trainSteps + "; fix scheduler/scheduler_config.json.");
        }
        ScheduleMath.requireSteps(steps, originalSteps, name());
        int stride = trainSteps / originalSteps;
        // the distillation schedule, descending: originalSteps·stride − 1, …, stride − 1
        double indexStep = (double) originalSteps / steps;
        double[] candidate = new double[steps];
        for (int i = 0; i < steps; i++) {
            int index = (int) Math.floor(i * indexStep);
            candidate[i] = (double) (originalSteps - index) * stride - 1;
        }
        timesteps = candidate;
    }

    /** c_skip = σ_d²/((t·s)² + σ_d²), with s = timestep_scaling and σ_d = 0.5. */
    double skipScaling(int stepIndex) {
        double scaled = timesteps[stepIndex] * config.timestepScaling();
        return SIGMA_DATA * SIGMA_DATA / (scaled * scaled + SIGMA_DATA * SIGMA_DATA);
    }

    /** c_out = t·s/√((t·s)² + σ_d²). */
    double outScaling(int stepIndex) {
        double scaled = timesteps[stepIndex] * config.timestepScaling();
        return scaled / Math.sqrt(scaled * scaled + SIGMA_DATA * SIGMA_DATA);
    }

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(modelOutput, sample, "model output and sample");
        boolean last = stepIndex == timesteps.length - 1;
        int t = (int) timesteps[stepIndex];
        int prev = last ? t : (int) timesteps[stepIndex + 1];
        double alphaBar = schedule.alphaCumprod(t);
        double alphaBarPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
        double sqrtAlphaBar = Math.sqrt(alphaBar);
        double sqrtOneMinusAlphaBar = Math.sqrt(1 - alphaBar);
        double cSkip = skipScaling(stepIndex);
        double cOut = outScaling(stepIndex);
        boolean clip = config.clipSample();
        double range = config.clipSampleRange();
        float[] fresh = last ? null : noise.gaussian(sample.length);
        double signal = Math.sqrt(alphaBarPrev);
        double noiseScale = Math.sqrt(1 - alphaBarPrev);
        int n = sample.length;
        double[] x0 = new double[n];
        for (int k = 0; k < n; k++) {
            double x = sample[k];
            double out = modelOutput[k];
            x0[k] = switch (config.predictionType()) {
                case EPSILON -> (x - sqrtOneMinusAlphaBar * out) / sqrtAlphaBar;
                case V_PREDICTION -> sqrtAlphaBar * x - sqrtOneMinusAlphaBar * out;
                case SAMPLE -> out;
            };
        }
        if (config.thresholding()) {
            DynamicThresholding.apply(x0, thresholdBatches, config.dynamicThresholdingRatio(), config.sampleMaxValue());
        } else if (clip) {
            for (int k = 0; k < n; k++) x0[k] = Math.clamp(x0[k], -range, range);
        }
        float[] next = new float[n];
        for (int k = 0; k < n; k++) {
            double denoised = cOut * x0[k] + cSkip * sample[k];
            next[k] = (float) (last ? denoised : signal * denoised + noiseScale * fresh[k]);
        }
        return next;
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
