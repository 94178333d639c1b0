package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.scheduler.NoiseSource;
import dev.atelier.diffusion.scheduler.Scheduler;

/**
 * The one denoising loop every kind of rendering runs: scale the latents for the model, predict the guided noise,
 * let the scheduler step, report progress. Which batch the UNet runs and how it is guided live in {@link GuidedUnet}.
 */
final class DenoisingLoop {
    private DenoisingLoop() {}

    /** Where the loop reports each step: which image of how many, at which latent size, previewed how. */
    record Progress(int imageIndex, int imageCount, int latentHeight, int latentWidth, LatentPreview preview,
                    StepCallback callback) {}

    /**
     * Denoises {@code latents} from step {@code firstStep} of the scheduler's timesteps to the end.
     *
     * @throws GenerationCancelledException when the callback returns false
     */
    static float[] run(Scheduler scheduler, int firstStep, float[] latents, NoiseSource noise, GuidedUnet unet,
                       Progress progress) {
        double[] timesteps = scheduler.timesteps();
        int steps = timesteps.length - firstStep;
        for (int k = firstStep; k < timesteps.length; k++) {
            float[] prediction = unet.predict(scheduler.scaleModelInput(latents, k), timesteps[k]);
            latents = scheduler.step(prediction, k, latents, noise);
            final float[] current = latents;
            final int next = k + 1;
            StepEvent event = new StepEvent(progress.imageIndex(), progress.imageCount(), k - firstStep + 1, steps,
                    timesteps[k], () -> next < timesteps.length ? scheduler.scaleModelInput(current, next) : current,
                    progress.latentHeight(), progress.latentWidth(), progress.preview());
            if (!progress.callback().onStep(event)) throw new GenerationCancelledException(k - firstStep + 1, steps);
        }
        return latents;
    }
}
