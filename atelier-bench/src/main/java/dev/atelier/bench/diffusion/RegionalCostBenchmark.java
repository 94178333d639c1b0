package dev.atelier.bench.diffusion;

import dev.atelier.core.plan.RegionLayout;
import dev.atelier.core.plan.SplitRatio;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.pipeline.RegionalPrompt;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.diffusion.pipeline.Timings;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyPipeline;
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
 * Cost of regional diffusion (latent mode) against a plain generation, measured in one process on the toy SD 1.x
 * pipeline with real tensor sizes (latents 4×64×64, text 77×768), 20 steps, CFG 7.5: plain = [uncond, cond] per
 * UNet run; regional 2×2 grid with a base prompt = [uncond, base, 4 regions]. Plain and regional generations
 * alternate so both see the same machine state. The toy UNet is nearly free, so the ratio shows the pipeline's own
 * extra cost (encoding 5 prompts, 3× the batch to copy, the mask composition); with a real UNet the ratio tends to
 * the batch ratio 6/2 = 3. Arguments: [steps=20] [runs=20].
 */
public final class RegionalCostBenchmark {
    private RegionalCostBenchmark() {}

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("atelier-bench-regional-");
        try {
            ToyPipeline.write(dir, Spec.sd15().withHiddenDim(768));
            try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(dir, PipelineSettings.defaults())) {
                GenerationRequest plain = GenerationRequest.of("toy", "a photo of a red cat", 1)
                        .withSteps(steps).withScheduler(SchedulerKind.DPMPP_2M_KARRAS).withGuidance(7.5).withSize(512, 512);
                RegionLayout grid = RegionLayout.of(SplitRatio.parse("1,1,1;1,1,1"),
                        List.of("a red cat", "a blue dog", "a green house", "a yellow photo"));
                GenerationRequest regional = plain.withRegions(new RegionalPrompt(grid, "a photo of a cat", 0.3));
                for (int i = 0; i < 5; i++) { // warm-up: JIT, arenas
                    pipeline.generate(plain.withSeed(100 + i));
                    pipeline.generate(regional.withSeed(100 + i));
                }
                Timings[] plainTimes = new Timings[runs];
                Timings[] regionalTimes = new Timings[runs];
                for (int i = 0; i < runs; i++) {
                    plainTimes[i] = pipeline.generate(plain.withSeed(i)).timings();
                    regionalTimes[i] = pipeline.generate(regional.withSeed(i)).timings();
                }
                report(out, steps, runs, plainTimes, regionalTimes);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double medianMs(Timings[] timings, java.util.function.ToLongFunction<Timings> part) {
        long[] values = Arrays.stream(timings).mapToLong(part).sorted().toArray();
        return values[values.length / 2] / 1e6;
    }

    private static void report(PrintStream out, int steps, int runs, Timings[] plain, Timings[] regional) {
        double plainWall = medianMs(plain, Timings::total);
        double regionalWall = medianMs(regional, Timings::total);
        out.printf(Locale.ROOT, "regional (latent mode, 2x2 grid + base, CFG) vs plain, toy SD 1.x 512x512, %d steps, %d runs each%n",
                steps, runs);
        out.printf(Locale.ROOT, "  plain     wall %8.2f ms  (UNet runs %d, inside UNet %.2f ms, text %.2f ms)%n", plainWall,
                plain[0].unetRuns(), medianMs(plain, Timings::insideUnet), medianMs(plain, Timings::textEncoding));
        out.printf(Locale.ROOT, "  regional  wall %8.2f ms  (UNet runs %d, inside UNet %.2f ms, text %.2f ms)%n", regionalWall,
                regional[0].unetRuns(), medianMs(regional, Timings::insideUnet), medianMs(regional, Timings::textEncoding));
        out.printf(Locale.ROOT, "  ratio regional / plain wall per generation: %.2f (UNet batch 6 vs 2)%n", regionalWall / plainWall);
    }
}
