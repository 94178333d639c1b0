package dev.atelier.diffusion.pipeline;

/** Called after every denoising step; returning false cancels the generation. */
@FunctionalInterface
public interface StepCallback {
    StepCallback NONE = event -> true;

    /** @return true to go on, false to cancel (the pipeline then throws {@link GenerationCancelledException}) */
    boolean onStep(StepEvent event);
}
