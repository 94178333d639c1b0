package dev.atelier.diffusion.pipeline;

import java.awt.image.BufferedImage;

/**
 * Progress after one denoising step. {@link #preview()} renders the current latents lazily (linear approximation at
 * latent resolution, or the TAESD decoder when configured), so a callback that ignores it costs nothing.
 */
public final class StepEvent {
    private final int imageIndex;
    private final int imageCount;
    private final int step;
    private final int steps;
    private final double timestep;
    private final java.util.function.Supplier<float[]> latents;
    private final int latentHeight;
    private final int latentWidth;
    private final LatentPreview previewer;
    private BufferedImage preview;

    StepEvent(int imageIndex, int imageCount, int step, int steps, double timestep, java.util.function.Supplier<float[]> latents,
              int latentHeight, int latentWidth, LatentPreview previewer) {
        this.imageIndex = imageIndex;
        this.imageCount = imageCount;
        this.step = step;
        this.steps = steps;
        this.timestep = timestep;
        this.latents = latents;
        this.latentHeight = latentHeight;
        this.latentWidth = latentWidth;
        this.previewer = previewer;
    }

    /** 0-based index of the image in the batch. */
    public int imageIndex() { return imageIndex; }

    public int imageCount() { return imageCount; }

    /** 1-based number of the step just done. */
    public int step() { return step; }

    /** Steps this image runs (fewer than requested for image-to-image). */
    public int steps() { return steps; }

    public double timestep() { return timestep; }

    /** Steps done over the whole batch, for one progress bar. */
    public int overallStep() { return imageIndex * steps + step; }

    public int overallSteps() { return imageCount * steps; }

    /** The latents after this step ([4, h/8, w/8], normalised to unit variance for the Euler family). */
    public float[] latents() { return latents.get().clone(); }

    public int latentHeight() { return latentHeight; }

    public int latentWidth() { return latentWidth; }

    public synchronized BufferedImage preview() {
        if (preview == null) preview = previewer.render(latents.get(), latentHeight, latentWidth);
        return preview;
    }
}
