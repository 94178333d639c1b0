package dev.atelier.bench.noise;

import dev.atelier.diffusion.noise.TorchCpuGenerator;
import dev.atelier.diffusion.pipeline.SeededNoise;
import dev.atelier.diffusion.scheduler.NoiseSource;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * The torch-compatible CPU generator against Atelier's own (SplitMix64 + Box–Muller) for one SDXL latent of
 * 4×128×128 normals: a fresh generator per draw, as a render seeds one. Prints the median time of each and the ratio
 * torch/own. Arguments: [runs=200] [warm-up runs=100].
 */
public final class NoiseGeneratorBenchmark {
    private static final int LATENT = 4 * 128 * 128;

    private NoiseGeneratorBenchmark() {}

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        PrintStream out = System.out;
        double own = medianMicros(SeededNoise::new, runs, warmup);
        double torch = medianMicros(TorchCpuGenerator::new, runs, warmup);
        out.printf(Locale.ROOT, "4x128x128 latent (%d normals), median of %d runs after %d warm-up runs%n",
                LATENT, runs, warmup);
        out.printf(Locale.ROOT, "  SeededNoise (current)   %9.1f us%n", own);
        out.printf(Locale.ROOT, "  TorchCpuGenerator       %9.1f us%n", torch);
        out.printf(Locale.ROOT, "  ratio torch/current     %9.2f%n", torch / own);
    }

    private static double medianMicros(LongFunction<NoiseSource> generator, int runs, int warmup) {
        double checksum = 0;
        for (int i = 0; i < warmup; i++) checksum += generator.apply(i).gaussian(LATENT)[i % LATENT];
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            float[] values = generator.apply(1000L + i).gaussian(LATENT);
            nanos[i] = System.nanoTime() - start;
            checksum += values[i % LATENT];
        }
        if (Double.isNaN(checksum)) throw new IllegalStateException("a generator produced NaN");
        Arrays.sort(nanos);
        return nanos[runs / 2] / 1000.0;
    }
}
