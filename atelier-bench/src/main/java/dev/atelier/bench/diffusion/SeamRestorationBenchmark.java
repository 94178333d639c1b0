package dev.atelier.bench.diffusion;

import dev.atelier.core.restore.BandStatistics;
import dev.atelier.core.restore.SeamRestoration;
import dev.atelier.diffusion.pipeline.EditRequest;
import dev.atelier.diffusion.pipeline.OutpaintExtension;
import dev.atelier.diffusion.pipeline.OutpaintingPipeline;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.pipeline.StepCallback;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyEditPipelines;
import dev.atelier.testkit.diffusion.ToyEditPipelines.Kind;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Seam mismatch of outpainting with and without seam restoration, on the toy inpainting pipeline (the new area lands
 * on the prompt's flat colour, a worst case of a colour step): a 256×256 textured photo-like image extended by 128 px
 * left and right (overlap 8, band 16). Two figures: the band step (mean over channels of |mean generated − mean
 * preserved| within 16 px of the seam) and the edge step (mean absolute RGB difference of neighbouring pixels across
 * the seam). Also the restoration's own time on the 512×256 canvas. Arguments: [runs=10].
 */
public final class SeamRestorationBenchmark {
    private SeamRestorationBenchmark() {}

    public static void main(String[] args) throws IOException {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("atelier-bench-seam-");
        try (OutpaintingPipeline pipeline = OutpaintingPipeline.load(ToyEditPipelines.write(dir, Kind.INPAINTING),
                PipelineSettings.defaults())) {
            BufferedImage image = textured(256, 256, 42);
            OutpaintExtension extension = new OutpaintExtension(128, 0, 128, 0, 8);
            SeamRestoration restoration = new SeamRestoration(SeamRestoration.DEFAULT_BAND);
            boolean[] mask = extension.repaintMask(256, 256);
            EditRequest request = EditRequest.of("toy", "a red wall", 7, 512, 256).withSteps(10)
                    .withScheduler(SchedulerKind.DDIM).withGuidance(1, 1);
            BufferedImage plain = pipeline.outpaint(image, extension, request, null, StepCallback.NONE).image();
            BufferedImage restored = pipeline.outpaint(image, extension, request, restoration, StepCallback.NONE).image();

            BufferedImage canvas = OutpaintingPipeline.extendCanvas(image, extension);
            for (int i = 0; i < 5; i++) restoration.restore(canvas, plain, mask); // warm-up
            long[] nanos = new long[runs];
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                restoration.restore(canvas, plain, mask);
                nanos[i] = System.nanoTime() - start;
            }
            java.util.Arrays.sort(nanos);

            double bandPlain = BandStatistics.meanDifference(plain, mask, 16);
            double bandRestored = BandStatistics.meanDifference(restored, mask, 16);
            double edgePlain = edgeStep(plain, mask);
            double edgeRestored = edgeStep(restored, mask);
            out.println("outpainting seam on the toy inpainting pipeline, 256x256 -> 512x256, overlap 8, band 16");
            out.printf(Locale.ROOT, "  band step (|mean gen - mean kept|, 0..255): plain %.2f, restored %.2f, ratio %.3f%n",
                    bandPlain, bandRestored, bandRestored / bandPlain);
            out.printf(Locale.ROOT, "  edge step (|neighbour diff| across seam):   plain %.2f, restored %.2f, ratio %.3f%n",
                    edgePlain, edgeRestored, edgeRestored / edgePlain);
            out.printf(Locale.ROOT, "  (the original's own neighbour difference, its texture: %.2f)%n", edgeStep(image, stripes(256, 256)));
            out.printf(Locale.ROOT, "  restoration time on 512x256: median %.2f ms over %d runs%n", nanos[runs / 2] / 1e6, runs);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Mean absolute RGB difference of horizontally or vertically neighbouring pixels on opposite sides of the mask. */
    static double edgeStep(BufferedImage image, boolean[] mask) {
        int w = image.getWidth();
        int h = image.getHeight();
        double sum = 0;
        long pairs = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (x + 1 < w && mask[i] != mask[i + 1]) { sum += difference(image.getRGB(x, y), image.getRGB(x + 1, y)); pairs++; }
                if (y + 1 < h && mask[i] != mask[i + w]) { sum += difference(image.getRGB(x, y), image.getRGB(x, y + 1)); pairs++; }
            }
        }
        return pairs == 0 ? 0 : sum / pairs;
    }

    /** Alternating columns, so every horizontal neighbour pair crosses the "seam": the image's own pixel step. */
    private static boolean[] stripes(int w, int h) {
        boolean[] mask = new boolean[w * h];
        for (int i = 0; i < mask.length; i++) mask[i] = (i % w) % 2 == 0;
        return mask;
    }

    private static double difference(int a, int b) {
        double d = 0;
        for (int shift = 16; shift >= 0; shift -= 8) d += Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff));
        return d / 3;
    }

    /** Smooth colour gradients with pixel noise, like a photo's sky-to-ground with texture. */
    static BufferedImage textured(int w, int h, long seed) {
        Random noise = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = Math.clamp(70 + x / 4 + noise.nextInt(30), 0, 255);
                int g = Math.clamp(110 + y / 3 + noise.nextInt(30), 0, 255);
                int b = Math.clamp(180 - y / 3 + noise.nextInt(30), 0, 255);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }
}
