package dev.atelier.diffusion.pipeline;

import java.awt.image.BufferedImage;

/** Turns the latents of one image ([4, h, w] in the model's scaled latent space) into a rough picture. */
@FunctionalInterface
public interface LatentPreview {
    BufferedImage render(float[] latents, int latentHeight, int latentWidth);
}
