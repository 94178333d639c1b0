package dev.atelier.testkit.fuzz;

import java.util.function.IntConsumer;

/**
 * How a parser's running time grows with its input, without wall-clock thresholds: the time for an input
 * {@code factor} times larger is compared with the time for the small one (each the best of a few runs, after a
 * warm-up), so a slow or busy machine scales both alike.
 */
public final class GrowthCheck {
    private GrowthCheck() {}

    /**
     * The ratio of the best time of {@code work.accept(base * factor)} to the best time of {@code work.accept(base)}.
     * Linear work gives about {@code factor}, quadratic about {@code factor²}.
     */
    public static double timeRatio(IntConsumer work, int base, int factor) {
        for (int i = 0; i < 3; i++) work.accept(base); // let the JIT compile the small case first
        long small = best(work, base, 5);
        long large = best(work, base * factor, 3);
        return (double) large / Math.max(small, 1);
    }

    private static long best(IntConsumer work, int size, int runs) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            work.accept(size);
            best = Math.min(best, System.nanoTime() - start);
        }
        return best;
    }
}
