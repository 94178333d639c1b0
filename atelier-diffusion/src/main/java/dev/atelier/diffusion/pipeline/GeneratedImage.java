package dev.atelier.diffusion.pipeline;

import java.awt.image.BufferedImage;

/**
 * One image of a result with the seed that made it, the request that repeats it alone, and its final latents
 * ([1, 4, h/8, w/8], before the VAE's scaling is undone).
 */
public record GeneratedImage(BufferedImage image, long seed, GenerationRequest request, float[] latents) {}
