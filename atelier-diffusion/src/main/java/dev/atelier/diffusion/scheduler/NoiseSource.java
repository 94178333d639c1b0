package dev.atelier.diffusion.scheduler;

/** Standard normal noise, reproducible from a seed. */
@FunctionalInterface
public interface NoiseSource {
    /** Returns {@code n} independent N(0,1) samples. */
    float[] gaussian(int n);
}
