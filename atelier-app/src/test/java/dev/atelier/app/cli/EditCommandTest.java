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
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier edit} end to end on the toy InstructPix2Pix pipeline (x₀ = s·image + c(instruction)). */
class EditCommandTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path image;

    @BeforeAll
    static void write() throws Exception {
        model = ToyEditPipelines.write(tmp.resolve("ip2p"), Kind.INSTRUCT_PIX2PIX);
        image = tmp.resolve("photo.png");
        ImageIO.write(blocks(64, 48), "png", image.toFile());
    }

    /** 8×8 blocks of one colour each, which the toy VAE keeps exactly. */
    static BufferedImage blocks(int width, int height) {
        BufferedImage b = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int bx = x / 8;
                int by = y / 8;
                b.setRGB(x, y, ((60 + bx * 20) << 16) | ((200 - by * 30) << 8) | (90 + bx * by * 4));
            }
        }
        return b;
    }

    static AtelierCommandTest.Run edit(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "edit";
        System.arraycopy(args, 0, all, 1, args.length);
        return AtelierCommandTest.run(AtelierCommand.newCommandLine(), all);
    }

    @Test
    void writesTheEditedPngWithItsParameters(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("red.png");
        var r = edit("--model", model.toString(), "--image", image.toString(), "--instruction", "red",
                "--text-guidance", "2", "--image-guidance", "1", "--steps", "8", "--scheduler", "ddim", "--seed", "9",
                "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out).contains("seed 9");
        assertThat(r.err()).contains("Editing");
        BufferedImage edited = Images.read(out);
        assertThat(edited.getWidth()).isEqualTo(64);
        assertThat(edited.getHeight()).isEqualTo(48);
        // x₀ = s_T·c + s_I·s·image, i.e. in pixels 2·red + the image
        float[] red = ToyPipeline.COLOURS.get("red");
        BufferedImage original = blocks(64, 48);
        for (int[] at : new int[][] {{3, 3}, {20, 12}}) {
            int o = original.getRGB(at[0], at[1]);
            int p = edited.getRGB(at[0], at[1]);
            for (int c = 0; c < 3; c++) {
                float v = 2 * red[c] + (((o >> (16 - 8 * c)) & 0xff) / 127.5f - 1f);
                int expected = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5f)));
                assertThat((p >> (16 - 8 * c)) & 0xff).as("(%d,%d) c%d", at[0], at[1], c).isCloseTo(expected, within(1));
            }
        }
        Map<String, String> text = PngFiles.readText(out);
        assertThat(text.get("parameters")).isEqualTo("red\nSteps: 8, Sampler: DDIM, CFG scale: 2, Image CFG scale: 1,"
                + " Seed: 9, Size: 64x48, Model: ip2p");
        assertThat(text.get("atelier-edit")).contains("\"imageGuidanceScale\":1.0").contains("\"seed\":9");
    }

    @Test
    void anEmptyInstructionKeepsTheImage(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("same.png");
        var r = edit("--model", model.toString(), "--image", image.toString(), "--instruction", "",
                "--image-guidance", "1", "--steps", "4", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        BufferedImage kept = Images.read(out);
        BufferedImage original = blocks(64, 48);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) assertThat(kept.getRGB(x, y)).as("(%d,%d)", x, y).isEqualTo(original.getRGB(x, y));
        }
    }

    @Test
    void aModelOfAnotherKindIsExplained(@TempDir Path dir) throws Exception {
        Path inpainting = ToyEditPipelines.write(dir.resolve("inpaint"), Kind.INPAINTING);
        var r = edit("--model", inpainting.toString(), "--image", image.toString(), "--instruction", "red",
                "--out", dir.resolve("o.png").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("'sample'").contains("inpainting").contains("InstructPix2Pix")
                .doesNotContain("Exception");
    }

    @Test
    void badInputGivesClearErrors(@TempDir Path dir) {
        var missingImage = edit("--model", model.toString(), "--image", dir.resolve("none.png").toString(),
                "--instruction", "red", "--out", dir.resolve("o.png").toString());
        assertThat(missingImage.exitCode()).isEqualTo(1);
        assertThat(missingImage.err()).contains("none.png");
        var jpeg = edit("--model", model.toString(), "--image", image.toString(), "--instruction", "red",
                "--out", dir.resolve("o.jpg").toString());
        assertThat(jpeg.exitCode()).isEqualTo(1);
        assertThat(jpeg.err()).contains(".png");
        var noInstruction = edit("--model", model.toString(), "--image", image.toString(), "--out", dir.resolve("o.png").toString());
        assertThat(noInstruction.exitCode()).isEqualTo(2);
        assertThat(noInstruction.err()).contains("--instruction");
        var torchNoise = edit("--model", model.toString(), "--image", image.toString(), "--instruction", "red",
                "--noise", "torch-cpu", "--out", dir.resolve("o.png").toString());
        assertThat(torchNoise.exitCode()).isEqualTo(1);
        assertThat(torchNoise.err()).contains("--noise torch-cpu applies to text-to-image");
    }
}
