package dev.atelier.core.plan;

/** Shared checks and defaults for the numbers of render plans. */
final class Sizes {
    static final int MIN_SIDE = 64;
    static final int MAX_SIDE = 4096;
    static final int MAX_STEPS = 1000;

    private Sizes() {}

    static int side(Integer value, String name) {
        int v = value == null ? GeneratePlan.DEFAULT_SIZE : value;
        if (v < MIN_SIDE || v > MAX_SIDE || v % 8 != 0) {
            throw new InvalidPlanException(name + " is " + v + "; use a multiple of 8 between " + MIN_SIDE + " and " + MAX_SIDE + ", for example 512.");
        }
        return v;
    }

    static int steps(Integer value) {
        int v = value == null ? GeneratePlan.DEFAULT_STEPS : value;
        if (v < 1 || v > MAX_STEPS) throw new InvalidPlanException("steps is " + v + "; use 1 to " + MAX_STEPS + ", for example 30.");
        return v;
    }

    static double guidance(Double value, double fallback, String name) {
        double v = value == null ? fallback : value;
        if (!(v >= 0 && v <= 50)) throw new InvalidPlanException(name + " is " + v + "; use a number between 0 and 50, for example " + fallback + ".");
        return v;
    }
}
