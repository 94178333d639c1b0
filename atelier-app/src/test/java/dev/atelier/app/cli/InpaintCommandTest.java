package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.testkit.diffusion.ToyEditPipelines;
import dev.atelier.testkit.diffusion.ToyEditPipelines.Kind;
import dev.atelier.testkit.diffusion.ToyPipeline;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier inpaint} end to end on the toy inpainting pipeline (x₀ = m·c(prompt) + (1 − m)·masked image). */
class InpaintCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path image;
    static Path mask;

    @BeforeAll
    static void write() throws Exception {
        model = ToyEditPipelines.write(tmp.resolve("inpainting"), Kind.INPAINTING);
        image = tmp.resolve("photo.png");
        ImageIO.write(EditCommandTest.blocks(64, 48), "png", image.toFile());
        BufferedImage m = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 8; y < 40; y++) for (int x = 16; x < 48; x++) m.setRGB(x, y, 0xffffff);
        mask = tmp.resolve("mask.png");
        ImageIO.write(m, "png", mask.toFile());
    }

    static AtelierCommandTest.Run inpaint(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "inpaint";
        System.arraycopy(args, 0, all, 1, args.length);
        return AtelierCommandTest.run(AtelierCommand.newCommandLine(), all);
    }

    @Test
    void repaintsTheMaskWithThePromptAndKeepsTheRestExactly(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.png");
        var r = inpaint("--model", model.toString(), "--image", image.toString(), "--mask", mask.toString(),
                "--prompt", "a green house", "--guidance", "1", "--steps", "6", "--seed", "4", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out).contains("seed 4");
        assertThat(r.err()).contains("Inpainting");
        BufferedImage result = Images.read(out);
        BufferedImage original = EditCommandTest.blocks(64, 48);
        float[] green = ToyPipeline.COLOURS.get("green");
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                boolean masked = x >= 16 && x < 48 && y >= 8 && y < 40;
                boolean core = x >= 22 && x < 42 && y >= 14 && y < 34;
                if (!masked) assertThat(result.getRGB(x, y)).as("kept (%d,%d)", x, y).isEqualTo(original.getRGB(x, y));
                if (core) {
                    int p = result.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        assertThat((p >> (16 - 8 * c)) & 0xff).as("painted (%d,%d)", x, y)
                                .isCloseTo(Math.round((green[c] + 1) * 127.5f), within(1));
                    }
                }
            }
        }
        assertThat(PngFiles.readText(out).get("parameters")).isEqualTo("a green house\nSteps: 6, Sampler: DDIM,"
                + " CFG scale: 1, Seed: 4, Size: 64x48, Model: inpainting, Mask blur: 4");
    }

    @Test
    void aBlankMaskAndAWrongModelAreExplained(@TempDir Path dir) throws Exception {
        Path blank = dir.resolve("blank.png");
        ImageIO.write(new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB), "png", blank.toFile());
        var r = inpaint("--model", model.toString(), "--image", image.toString(), "--mask", blank.toString(),
                "--prompt", "red", "--steps", "2", "--out", dir.resolve("o.png").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("marks nothing to repaint");

        Path sd = ToyPipeline.write(dir.resolve("sd"), ToyPipeline.Spec.sd15());
        var wrong = inpaint("--model", sd.toString(), "--image", image.toString(), "--mask", mask.toString(),
                "--prompt", "red", "--out", dir.resolve("o.png").toString());
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err()).contains("'sample'").contains("4 channels").contains("inpainting");

        var noMask = inpaint("--model", model.toString(), "--image", image.toString(), "--prompt", "red",
                "--out", dir.resolve("o.png").toString());
        assertThat(noMask.exitCode()).isEqualTo(2);
        assertThat(noMask.err()).contains("--mask");
    }

    @Test
    void anImageOfNoMultipleOfEightComesBackAtItsSizeWithItsPixels(@TempDir Path dir) throws Exception {
        BufferedImage odd = EditCommandTest.blocks(70, 50);
        Path in = dir.resolve("odd.png");
        ImageIO.write(odd, "png", in.toFile());
        BufferedImage m = new BufferedImage(70, 50, BufferedImage.TYPE_INT_RGB);
        for (int y = 10; y < 30; y++) for (int x = 20; x < 45; x++) m.setRGB(x, y, 0xffffff);
        Path maskFile = dir.resolve("odd-mask.png");
        ImageIO.write(m, "png", maskFile.toFile());
        Path out = dir.resolve("out.png");
        var r = inpaint("--model", model.toString(), "--image", in.toString(), "--mask", maskFile.toString(),
                "--prompt", "blue", "--steps", "4", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("64x48");
        BufferedImage result = Images.read(out);
        assertThat(result.getWidth()).isEqualTo(70);
        assertThat(result.getHeight()).isEqualTo(50);
        for (int y = 0; y < 50; y++) {
            for (int x = 0; x < 70; x++) {
                boolean masked = x >= 20 && x < 45 && y >= 10 && y < 30;
                if (!masked) assertThat(result.getRGB(x, y)).as("kept (%d,%d)", x, y).isEqualTo(odd.getRGB(x, y));
            }
        }
        assertThat(result.getRGB(32, 20)).as("repainted").isNotEqualTo(odd.getRGB(32, 20));
    }

    /** Σ over R, G, B of |mean inside − mean outside| over the pixels within {@code band} of the rectangle's edge. */
    static double seamStep(BufferedImage img, int x0, int y0, int x1, int y1, int band) {
        double[] in = new double[3], out = new double[3];
        int nIn = 0, nOut = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                boolean inside = x >= x0 && x < x1 && y >= y0 && y < y1;
                int d = inside ? Math.min(Math.min(x - x0, x1 - 1 - x), Math.min(y - y0, y1 - 1 - y))
                        : Math.max(Math.max(x0 - x, x - (x1 - 1)), Math.max(y0 - y, y - (y1 - 1)));
                if (d > band) continue;
                int p = img.getRGB(x, y);
                double[] sum = inside ? in : out;
                for (int c = 0; c < 3; c++) sum[c] += (p >> (16 - 8 * c)) & 0xff;
                if (inside) nIn++; else nOut++;
            }
        }
        double step = 0;
        for (int c = 0; c < 3; c++) step += Math.abs(in[c] / nIn - out[c] / nOut);
        return step;
    }

    @Test
    void restoreMatchesTheRepaintedColoursToTheSurroundingsAndKeepsFarPixelsExact(@TempDir Path dir) throws Exception {
        BufferedImage original = EditCommandTest.blocks(128, 96);
        Path photo = dir.resolve("big.png");
        ImageIO.write(original, "png", photo.toFile());
        BufferedImage m = new BufferedImage(128, 96, BufferedImage.TYPE_INT_RGB);
        for (int y = 32; y < 64; y++) for (int x = 48; x < 80; x++) m.setRGB(x, y, 0xffffff);
        Path maskFile = dir.resolve("big-mask.png");
        ImageIO.write(m, "png", maskFile.toFile());
        Path plain = dir.resolve("plain.png");
        Path restored = dir.resolve("restored.png");
        String[] common = {"--model", model.toString(), "--image", photo.toString(), "--mask", maskFile.toString(),
                "--prompt", "a green house", "--guidance", "1", "--steps", "6", "--seed", "4"};
        assertThat(inpaint(concat(common, "--out", plain.toString())).exitCode()).isZero();
        var r = inpaint(concat(common, "--restore", "--out", restored.toString()));
        assertThat(r.exitCode()).as(r.err()).isZero();

        BufferedImage before = Images.read(plain);
        BufferedImage after = Images.read(restored);
        double stepBefore = seamStep(before, 48, 32, 80, 64, 16);
        double stepAfter = seamStep(after, 48, 32, 80, 64, 16);
        assertThat(stepAfter).as("colour step across the seam, before %.1f", stepBefore).isLessThan(stepBefore / 2);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 128; x++) {
                boolean far = x < 48 - 16 || x >= 80 + 16 || y < 32 - 16 || y >= 64 + 16;
                if (far) assertThat(after.getRGB(x, y)).as("far (%d,%d)", x, y).isEqualTo(original.getRGB(x, y));
            }
        }
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
