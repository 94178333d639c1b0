package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;

/** The step callback asked to stop; nothing was produced. */
public final class GenerationCancelledException extends AtelierException {
    public GenerationCancelledException(int step, int steps) {
        super("generation cancelled at step " + step + " of " + steps, null, 130);
    }
}
