package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;

/**
 * Ancestral Euler (diffusers' {@code EulerAncestralDiscreteScheduler}): each step goes deterministically down to
 * σ_down and adds fresh noise of σ_up, with σ_up² + σ_down² = σ_next² and σ_up = σ_next·√(σ² − σ_next²)/σ.
 */
final class EulerAncestralScheduler extends SigmaScheduler {

    EulerAncestralScheduler(SchedulerConfig config) {
        super(config);
        if (config.predictionType() == PredictionType.SAMPLE) {
            throw new AtelierException("The euler-a scheduler does not support prediction_type 'sample' (neither "
                    + "does diffusers); use --scheduler euler or ddim for this model.");
        }
    }

    @Override
    String name() { return "Euler ancestral"; }

    @Override
    boolean karras() { return false; } // diffusers' ancestral Euler has no Karras option

    @Override
    FinalSigmas finalSigmas() { return FinalSigmas.ZERO; } // nor final_sigmas_type

    @Override
    boolean continuousTimesteps() { return false; } // nor timestep_type

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(modelOutput, sample, "model output and sample");
        double sigma = sigmas[stepIndex];
        double sigmaNext = sigmas[stepIndex + 1];
        double sigmaUp = Math.sqrt(sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext) / (sigma * sigma));
        double sigmaDown = Math.sqrt(sigmaNext * sigmaNext - sigmaUp * sigmaUp);
        double dt = sigmaDown - sigma;
        // diffusers draws noise on every step, the last (σ_up = 0) included, so later draws stay in step
        float[] fresh = noise.gaussian(sample.length);
        float[] next = new float[sample.length];
        for (int k = 0; k < next.length; k++) {
            double x = sample[k];
            double derivative = (x - predictedOriginal(x, modelOutput[k], sigma)) / sigma;
            double value = x + derivative * dt;
            value += fresh[k] * sigmaUp;
            next[k] = (float) value;
        }
        return next;
    }
}
