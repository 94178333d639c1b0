package dev.atelier.diffusion.pipeline;

import java.awt.image.BufferedImage;

/**
 * An edited image, the request (scheduler resolved) that repeats it, its final latents ([1, 4, h/8, w/8], scaled)
 * and where the time went.
 */
public record EditResult(EditRequest request, BufferedImage image, float[] latents, Timings timings) {}
