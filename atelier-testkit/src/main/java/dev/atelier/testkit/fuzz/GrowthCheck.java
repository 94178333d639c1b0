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
        // let the JIT compile every path both sizes take before anything is timed
        for (int i = 0; i < 5; i++) work.accept(base);
        work.accept(base * factor);
        long small = best(work, base, 9);
        long large = best(work, base * factor, 5);
        double ratio = (double) large / Math.max(small, 1);
        System.out.printf("growth check: %,d -> %,d: %.3f ms -> %.3f ms, ratio %.1f%n",
                base, base * factor, small / 1e6, large / 1e6, ratio);
        return ratio;
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
