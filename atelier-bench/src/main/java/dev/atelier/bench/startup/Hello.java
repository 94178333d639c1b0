package dev.atelier.bench.startup;

/** The trivial program whose start and exit is the unit of {@link StartupBenchmark}'s ratio. */
public final class Hello {
    private Hello() {}

    public static void main(String[] args) {
        System.out.println("Hello");
    }
}
