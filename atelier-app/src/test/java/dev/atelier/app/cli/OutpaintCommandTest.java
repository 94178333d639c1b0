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

/**
 * {@code atelier outpaint} end to end on the toy inpainting pipeline (repainted latents land on the prompt's colour):
 * the 64×48 block image grows by 32 px on the left and 16 px at the bottom; overlap 8, seam band 16.
 */
class OutpaintCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path image;

    @BeforeAll
    static void write() throws Exception {
        model = ToyEditPipelines.write(tmp.resolve("inpainting"), Kind.INPAINTING);
        image = tmp.resolve("photo.png");
        ImageIO.write(EditCommandTest.blocks(64, 48), "png", image.toFile());
    }

    static AtelierCommandTest.Run outpaint(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "outpaint";
        System.arraycopy(args, 0, all, 1, args.length);
        return AtelierCommandTest.run(AtelierCommand.newCommandLine(), all);
    }

    static void assertColour(BufferedImage image, int x, int y, float[] rgb) {
        int p = image.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
            assertThat((p >> (16 - 8 * c)) & 0xff).as("painted (%d,%d)", x, y)
                    .isCloseTo(Math.round((rgb[c] + 1) * 127.5f), within(1));
        }
    }

    @Test
    void extendsTheCanvasPaintsThePromptAndKeepsTheOriginalAwayFromTheSeam(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.png");
        var r = outpaint("--model", model.toString(), "--image", image.toString(), "--left", "32", "--bottom", "16",
                "--prompt", "a green field", "--guidance", "1", "--steps", "4", "--seed", "3", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out).contains("seed 3").contains("64x48 to 96x64");
        assertThat(r.err()).contains("Outpainting");
        BufferedImage result = Images.read(out);
        assertThat(result.getWidth()).isEqualTo(96);
        assertThat(result.getHeight()).isEqualTo(64);
        BufferedImage original = EditCommandTest.blocks(64, 48);
        // kept area: x ≥ 32 + overlap 8, y < 48 − overlap 8; exact beyond the band of 16 from there
        for (int y = 0; y < 24; y++) {
            for (int x = 56; x < 96; x++) {
                assertThat(result.getRGB(x, y)).as("kept (%d,%d)", x, y).isEqualTo(original.getRGB(x - 32, y));
            }
        }
        float[] green = ToyPipeline.COLOURS.get("green");
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) assertColour(result, x, y, green);
        assertThat(PngFiles.readText(out).get("parameters")).isEqualTo("a green field\nSteps: 4, Sampler: DDIM,"
                + " CFG scale: 1, Seed: 3, Size: 96x64, Model: inpainting, Mask blur: 4,"
                + " Outpaint: left 32, top 0, right 0, bottom 16, overlap 8, Seam restore: 16");
    }

    @Test
    void withoutRestorationEveryPixelOutsideTheOverlapIsTheOriginal(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.png");
        var r = outpaint("--model", model.toString(), "--image", image.toString(), "--right", "16", "--top", "8",
                "--overlap", "0", "--no-restore", "--prompt", "blue", "--guidance", "1", "--steps", "3",
                "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        BufferedImage result = Images.read(out);
        assertThat(result.getWidth()).isEqualTo(80);
        assertThat(result.getHeight()).isEqualTo(56);
        BufferedImage original = EditCommandTest.blocks(64, 48);
        for (int y = 8; y < 56; y++) {
            for (int x = 0; x < 64; x++) {
                assertThat(result.getRGB(x, y)).as("kept (%d,%d)", x, y).isEqualTo(original.getRGB(x, y - 8));
            }
        }
        float[] blue = ToyPipeline.COLOURS.get("blue");
        assertColour(result, 76, 2, blue);
        assertThat(PngFiles.readText(out).get("parameters")).endsWith("overlap 0");
    }

    @Test
    void anImageOfNoMultipleOfEightIsExtendedAroundItsExactPixels(@TempDir Path dir) throws Exception {
        BufferedImage odd = EditCommandTest.blocks(70, 50);
        Path in = dir.resolve("odd.png");
        ImageIO.write(odd, "png", in.toFile());
        Path out = dir.resolve("out.png");
        var r = outpaint("--model", model.toString(), "--image", in.toString(), "--right", "24", "--no-restore",
                "--prompt", "red", "--guidance", "1", "--steps", "3", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("70x50 to 94x50").contains("rendered at 88x48");
        BufferedImage result = Images.read(out);
        assertThat(result.getWidth()).isEqualTo(94);
        assertThat(result.getHeight()).isEqualTo(50);
        for (int y = 0; y < 50; y++) {
            for (int x = 0; x < 70 - 8; x++) {
                assertThat(result.getRGB(x, y)).as("kept (%d,%d)", x, y).isEqualTo(odd.getRGB(x, y));
            }
        }
        assertThat(result.getRGB(90, 25)).as("extended").isNotEqualTo(odd.getRGB(69, 25));
    }

    @Test
    void aCanvasOverTheSideLimitIsRefusedBeforeLoading(@TempDir Path dir) {
        var r = outpaint("--model", model.toString(), "--image", image.toString(), "--left", "8192", "--prompt", "red",
                "--out", dir.resolve("o.png").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("8256x48").contains("--width and --height");
    }

    @Test
    void missingOrOddExtensionsAreExplained(@TempDir Path dir) {
        var none = outpaint("--model", model.toString(), "--image", image.toString(), "--prompt", "red",
                "--out", dir.resolve("o.png").toString());
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains("nothing to outpaint");
        var odd = outpaint("--model", model.toString(), "--image", image.toString(), "--left", "12", "--prompt", "red",
                "--out", dir.resolve("o.png").toString());
        assertThat(odd.exitCode()).isEqualTo(1);
        assertThat(odd.err()).contains("multiples of 8");
    }
}
