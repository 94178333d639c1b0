package dev.atelier.bench.diffusion;

import dev.atelier.diffusion.pipeline.EditRequest;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.InpaintingPipeline;
import dev.atelier.diffusion.pipeline.InstructPix2PixPipeline;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.diffusion.pipeline.Timings;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyEditPipelines;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * Pipeline overhead: time outside ONNX Runtime runs, per denoising step, of 512×512 renders on toy SD 1.x pipelines
 * with real tensor sizes (latents 4×64×64, text states 77×768): text-to-image with batched CFG, InstructPix2Pix with
 * its batch of three, inpainting with batched CFG. The toy UNets do almost no arithmetic, so this is a worst case:
 * the same Java-side cost set against a real UNet's seconds per step is far smaller. On a shared machine the minimum
 * over many runs is the figure that compares; the 10th percentile and median show the spread. Arguments: [steps=20]
 * [runs=10] [scheduler=dpmpp-2m-karras].
 */
public final class PipelineOverheadBenchmark {
    /**
     * Per-step time outside ONNX Runtime of the pipelines before they shared one core: the best minimum of eight runs
     * (40 to 120 renders each) of this benchmark on commit 28f648f, the last before the shared core, interleaved with
     * runs of the shared core on the same 2-core machine shared by several builds (its medians were too noisy to use).
     */
    static final double BEFORE_TEXT_TO_IMAGE = 0.108;
    static final double BEFORE_INSTRUCT_PIX2PIX = 0.174;
    static final double BEFORE_INPAINTING = 0.175;

    private PipelineOverheadBenchmark() {}

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        SchedulerKind kind = SchedulerKind.fromCliName(args.length > 2 ? args[2] : "dpmpp-2m-karras");
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("atelier-bench-toy-");
        Spec spec = Spec.sd15().withHiddenDim(768);
        try {
            out.printf(Locale.ROOT, "pipeline overhead, toy SD 1.x at 512x512 (latents 4x64x64, text 77x768), %d steps %s, %d runs%n",
                    steps, kind.cliName(), runs);
            Path toy = ToyPipeline.write(dir.resolve("sd"), spec);
            try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(toy, PipelineSettings.defaults())) {
                GenerationRequest request = GenerationRequest.of("toy", "a photo of a red cat", 1)
                        .withSteps(steps).withScheduler(kind).withGuidance(7.5).withSize(512, 512);
                report(out, "text-to-image, CFG batch of 2", steps, BEFORE_TEXT_TO_IMAGE,
                        measure(runs, seed -> pipeline.generate(request.withSeed(seed)).timings()));
            }
            BufferedImage image = gradient(512, 512);
            Path ip2p = ToyEditPipelines.write(dir.resolve("ip2p"), ToyEditPipelines.Kind.INSTRUCT_PIX2PIX, false, false, spec);
            try (InstructPix2PixPipeline pipeline = InstructPix2PixPipeline.load(ip2p, PipelineSettings.defaults())) {
                EditRequest request = EditRequest.of("toy", "make it red", 1, 512, 512).withSteps(steps).withScheduler(kind)
                        .withGuidance(7.5, 1.5);
                report(out, "InstructPix2Pix, batch of 3", steps, BEFORE_INSTRUCT_PIX2PIX,
                        measure(runs, seed -> pipeline.edit(image, request.withSeed(seed)).timings()));
            }
            Path inpaint = ToyEditPipelines.write(dir.resolve("inpaint"), ToyEditPipelines.Kind.INPAINTING, false, false, spec);
            BufferedImage mask = centreMask(512, 512);
            try (InpaintingPipeline pipeline = InpaintingPipeline.load(inpaint, PipelineSettings.defaults())) {
                EditRequest request = EditRequest.of("toy", "a red cat", 1, 512, 512).withSteps(steps).withScheduler(kind)
                        .withGuidance(7.5, 1);
                report(out, "inpainting, CFG batch of 2", steps, BEFORE_INPAINTING,
                        measure(runs, seed -> pipeline.inpaint(image, mask, request.withSeed(seed)).timings()));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Timings[] measure(int runs, LongFunction<Timings> render) {
        for (int i = 0; i < 10; i++) render.apply(100 + i); // warm-up: JIT, arenas
        Timings[] timings = new Timings[runs];
        for (int i = 0; i < runs; i++) timings[i] = render.apply(i);
        return timings;
    }

    private static BufferedImage gradient(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) image.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 96);
        }
        return image;
    }

    private static BufferedImage centreMask(int w, int h) {
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = h / 4; y < 3 * h / 4; y++) {
            for (int x = w / 4; x < 3 * w / 4; x++) mask.setRGB(x, y, 0xffffff);
        }
        return mask;
    }

    private static void report(PrintStream out, String what, int steps, double beforePerStep, Timings[] timings) {
        long[] wall = Arrays.stream(timings).mapToLong(Timings::total).sorted().toArray();
        long[] outside = Arrays.stream(timings).mapToLong(t -> t.total() - t.insideSessions()).sorted().toArray();
        long[] text = Arrays.stream(timings).mapToLong(Timings::textEncoding).sorted().toArray();
        long[] vae = Arrays.stream(timings).mapToLong(Timings::vae).sorted().toArray();
        long[] perRun = Arrays.stream(timings).mapToLong(Timings::loopOverheadPerRun).sorted().toArray();
        long[] unetPerRun = Arrays.stream(timings).mapToLong(t -> t.insideUnet() / Math.max(1, t.unetRuns())).sorted().toArray();
        int m = timings.length / 2;
        double loopPerStep = perRun[m] / 1e6 * timings[0].unetRuns() / steps;
        out.printf(Locale.ROOT, "%s%n", what);
        out.printf(Locale.ROOT, "  wall per render          median %8.2f ms; outside session runs median %.2f ms (%.3f ms per step)%n",
                wall[m] / 1e6, outside[m] / 1e6, outside[m] / 1e6 / steps);
        out.printf(Locale.ROOT, "  text encoding %.2f ms, VAE + image %.2f ms (medians); toy UNet %.3f ms per run%n",
                text[m] / 1e6, vae[m] / 1e6, unetPerRun[m] / 1e6);
        double runsPerStep = (double) timings[0].unetRuns() / steps;
        double min = perRun[0] / 1e6 * runsPerStep;
        out.printf(Locale.ROOT, "  denoising loop outside ONNX Runtime per step: min %.3f ms, 10th percentile %.3f, median %.3f",
                min, perRun[timings.length / 10] / 1e6 * runsPerStep, loopPerStep);
        if (Double.isNaN(beforePerStep)) out.printf(Locale.ROOT, "%n");
        else out.printf(Locale.ROOT, "%n  before the shared core (min, recorded): %.3f ms per step -> now %.0f %% of before%n",
                beforePerStep, 100 * min / beforePerStep);
    }
}
