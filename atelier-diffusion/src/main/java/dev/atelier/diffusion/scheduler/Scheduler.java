package dev.atelier.diffusion.scheduler;

/**
 * A diffusion sampler as pure math over flat float arrays (diffusers' separation: the pipeline runs the
 * model, the scheduler decides where to evaluate it and how to move). Instances are stateful for one
 * sampling run; {@link #setTimesteps} starts a new run.
 */
public interface Scheduler {

    /** Prepares a run of {@code steps} model evaluations and resets any multistep history. */
    void setTimesteps(int steps);

    /** The timestep fed to the model at each step, in sampling order (length = number of steps). */
    double[] timesteps();

    /** Standard deviation of the initial noise: pure noise latents are N(0,1) multiplied by this. */
    double initNoiseSigma();

    /** The model input for step {@code stepIndex} (Euler family divides by √(σ²+1); DDIM returns the sample). */
    float[] scaleModelInput(float[] sample, int stepIndex);

    /**
     * One update from the sample at step {@code stepIndex} to the next step, given the model's output
     * (ε, v or x₀ per the configured prediction type). Stochastic samplers draw fresh noise from {@code noise}.
     */
    float[] step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise);

    /** Noises a clean sample to the noise level of step {@code stepIndex} (img2img's starting point). */
    float[] addNoise(float[] original, float[] noise, int stepIndex);
}
