package dev.atelier.diffusion.scheduler;

/** Euler's method on the probability-flow ODE in σ (diffusers' {@code EulerDiscreteScheduler}, no churn). */
final class EulerDiscreteScheduler extends SigmaScheduler {

    EulerDiscreteScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    String name() { return "Euler"; }

    @Override
    boolean karras() { return config.useKarrasSigmas(); }

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(modelOutput, sample, "model output and sample");
        double sigma = sigmas[stepIndex];
        double dt = sigmas[stepIndex + 1] - sigma;
        float[] next = new float[sample.length];
        for (int k = 0; k < next.length; k++) {
            double x = sample[k];
            double derivative = (x - predictedOriginal(x, modelOutput[k], sigma)) / sigma;
            next[k] = (float) (x + derivative * dt);
        }
        return next;
    }
}
