package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.scheduler.NoiseSource;
import java.util.stream.IntStream;

/**
 * Standard normal noise from a 64-bit seed: SplitMix64 uniforms and the Box–Muller transform with
 * {@link StrictMath}, so the same seed gives the same bits on every machine and JVM. SplitMix64's state advances by
 * a constant per draw, so any pair of the stream can be computed on its own: large draws (a render's initial latents,
 * where {@link StrictMath}'s log, sin and cos are most of the pipeline's own time) are split over cores, with the
 * same bits as drawing them one by one.
 */
public final class SeededNoise implements NoiseSource {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    /** Box–Muller pairs per parallel task; smaller draws stay on the calling thread. */
    private static final int PAIRS_PER_TASK = 2048;
    private long state;
    private double spare;
    private boolean hasSpare;

    public SeededNoise(long seed) {
        this.state = seed;
    }

    @Override
    public float[] gaussian(int n) {
        float[] out = new float[n];
        int i = 0;
        if (hasSpare && n > 0) {
            out[i++] = (float) spare;
            hasSpare = false;
        }
        int pairs = (n - i) / 2;
        long start = state;
        int from = i;
        int tasks = (pairs + PAIRS_PER_TASK - 1) / PAIRS_PER_TASK;
        IntStream range = IntStream.range(0, tasks);
        (tasks > 1 ? range.parallel() : range).forEach(task -> {
            int end = Math.min(pairs, (task + 1) * PAIRS_PER_TASK);
            for (int pair = task * PAIRS_PER_TASK; pair < end; pair++) {
                // the pair's two uniforms are the stream's draws 2·pair + 1 and 2·pair + 2 from here
                double u1 = uniformOpen(mix(start + (2L * pair + 1) * GAMMA));
                double u2 = uniformOpen(mix(start + (2L * pair + 2) * GAMMA));
                double radius = StrictMath.sqrt(-2 * StrictMath.log(u1));
                double angle = 2 * StrictMath.PI * u2;
                out[from + 2 * pair] = (float) (radius * StrictMath.cos(angle));
                out[from + 2 * pair + 1] = (float) (radius * StrictMath.sin(angle));
            }
        });
        state = start + 2L * pairs * GAMMA;
        i += 2 * pairs;
        if (i < n) out[i] = (float) next();
        return out;
    }

    private double next() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = uniformOpen(nextLong());
        double u2 = uniformOpen(nextLong());
        double radius = StrictMath.sqrt(-2 * StrictMath.log(u1));
        double angle = 2 * StrictMath.PI * u2;
        spare = radius * StrictMath.sin(angle);
        hasSpare = true;
        return radius * StrictMath.cos(angle);
    }

    /** Uniform in (0, 1): 53 random bits, shifted by half a unit so 0 never occurs. */
    private static double uniformOpen(long bits) {
        return ((bits >>> 11) + 0.5) * 0x1.0p-53;
    }

    private long nextLong() {
        return mix(state += GAMMA);
    }

    /** SplitMix64's output function of a state. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
