package dev.atelier.bench.diffusion;

import dev.atelier.core.plan.RegionLayout;
import dev.atelier.core.plan.SplitRatio;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.pipeline.RegionalMode;
import dev.atelier.diffusion.pipeline.RegionalPrompt;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.diffusion.pipeline.Timings;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyAttentionUnet;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A 4-region plan (2×2 grid with a base prompt, CFG 7.5) against plain generation on one toy UNet whose convolutions
 * and attention dominate (a 1×1 conv to C channels, two 3×3 convs C→C, three attention blocks of width C over every
 * latent pixel), same steps and size, in one process: attention mode (uncond and cond entries, 5 prompts on the token
 * axis) and latent mode (6 entries) each as a ratio to plain (2 entries). Generations alternate so every kind sees
 * the same machine state; the medians are reported. Goal: attention mode ≤ 1.3× plain.
 * C defaults to 320, SD 1.x's first-stage width. Measured on 2 shared cores (256², 10 steps, 3 runs): attention
 * 1.30×, latent 3.56× plain; at C = 128 the text K/V projections of five prompts weigh more: 1.61× and 3.05×.
 * Arguments: [size=256] [channels=320] [steps=10] [runs=5].
 */
public final class RegionalAttentionBenchmark {
    private RegionalAttentionBenchmark() {}

    public static void main(String[] args) throws IOException {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int channels = args.length > 1 ? Integer.parseInt(args[1]) : 320;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("atelier-bench-regional-attention-");
        try {
            ToyAttentionUnet.write(dir, Spec.sd15().withHiddenDim(768), ToyAttentionUnet.Options.heavy(channels));
            try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(dir, PipelineSettings.defaults())) {
                GenerationRequest plain = GenerationRequest.of("toy", "a photo of a red cat", 1)
                        .withSteps(steps).withScheduler(SchedulerKind.DPMPP_2M_KARRAS).withGuidance(7.5).withSize(size, size);
                RegionLayout grid = RegionLayout.of(SplitRatio.parse("1,1,1;1,1,1"),
                        List.of("a red cat", "a blue dog", "a green house", "a yellow photo"));
                RegionalPrompt regions = new RegionalPrompt(grid, "a photo of a cat", 0.3);
                GenerationRequest attention = plain.withRegions(regions.withMode(RegionalMode.ATTENTION));
                GenerationRequest latent = plain.withRegions(regions.withMode(RegionalMode.LATENT));
                for (int i = 0; i < 2; i++) { // warm-up: JIT, arenas, the rewrite
                    pipeline.generate(plain.withSeed(100 + i));
                    pipeline.generate(attention.withSeed(100 + i));
                    pipeline.generate(latent.withSeed(100 + i));
                }
                Timings[] plainTimes = new Timings[runs];
                Timings[] attentionTimes = new Timings[runs];
                Timings[] latentTimes = new Timings[runs];
                for (int i = 0; i < runs; i++) {
                    plainTimes[i] = pipeline.generate(plain.withSeed(i)).timings();
                    attentionTimes[i] = pipeline.generate(attention.withSeed(i)).timings();
                    latentTimes[i] = pipeline.generate(latent.withSeed(i)).timings();
                }
                double plainMs = medianMs(plainTimes);
                double attentionMs = medianMs(attentionTimes);
                double latentMs = medianMs(latentTimes);
                out.printf(Locale.ROOT, "4-region plan vs plain, toy attention UNet (C=%d) %dx%d, %d steps, CFG 7.5, %d runs each%n",
                        channels, size, size, steps, runs);
                out.printf(Locale.ROOT, "  plain      %9.1f ms  (UNet runs %d)%n", plainMs, plainTimes[0].unetRuns());
                out.printf(Locale.ROOT, "  attention  %9.1f ms  ratio %.2f (goal <= 1.3)%n", attentionMs, attentionMs / plainMs);
                out.printf(Locale.ROOT, "  latent     %9.1f ms  ratio %.2f%n", latentMs, latentMs / plainMs);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double medianMs(Timings[] timings) {
        long[] values = Arrays.stream(timings).mapToLong(Timings::total).sorted().toArray();
        return values[values.length / 2] / 1e6;
    }
}
