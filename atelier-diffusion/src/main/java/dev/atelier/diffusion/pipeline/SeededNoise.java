package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.scheduler.NoiseSource;

/**
 * Standard normal noise from a 64-bit seed: SplitMix64 uniforms and the Box–Muller transform with
 * {@link StrictMath}, so the same seed gives the same bits on every machine and JVM.
 */
public final class SeededNoise implements NoiseSource {
    private long state;
    private double spare;
    private boolean hasSpare;

    public SeededNoise(long seed) {
        this.state = seed;
    }

    @Override
    public float[] gaussian(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) next();
        return out;
    }

    private double next() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = uniformOpen();
        double u2 = uniformOpen();
        double radius = StrictMath.sqrt(-2 * StrictMath.log(u1));
        double angle = 2 * StrictMath.PI * u2;
        spare = radius * StrictMath.sin(angle);
        hasSpare = true;
        return radius * StrictMath.cos(angle);
    }

    /** Uniform in (0, 1): 53 random bits, shifted by half a unit so 0 never occurs. */
    private double uniformOpen() {
        return ((nextLong() >>> 11) + 0.5) * 0x1.0p-53;
    }

    private long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
