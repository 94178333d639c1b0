package dev.atelier.assistant;

import dev.atelier.diffusion.pipeline.StepCallback;

/** Shows a render's progress: a task ("Generating", "Editing", …) of some steps, then its end. */
public interface RenderProgress {
    RenderProgress NONE = new RenderProgress() {
        @Override public StepCallback begin(String task, int steps) { return StepCallback.NONE; }
        @Override public void end() { }
    };

    /** A render of {@code steps} denoising steps starts; the callback receives every step. */
    StepCallback begin(String task, int steps);

    /** The render started by the last {@link #begin} ended (done, failed or cancelled). */
    void end();
}
