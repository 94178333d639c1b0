package dev.atelier.diffusion.pipeline;

import static dev.atelier.diffusion.pipeline.EditTestImages.HEIGHT;
import static dev.atelier.diffusion.pipeline.EditTestImages.WIDTH;
import static dev.atelier.diffusion.pipeline.EditTestImages.assertPixel;
import static dev.atelier.diffusion.pipeline.EditTestImages.blockValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyEditPipelines;
import dev.atelier.testkit.diffusion.ToyEditPipelines.Kind;
import dev.atelier.testkit.diffusion.ToyPipeline;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inpainting on the toy: its UNet's x₀ is m·c(prompt) + (1 − m)·masked-image latents, so the masked latent blocks
 * land on w·c (w = the guidance scale) and the rest on the image's own latents; the pixels outside the mask come
 * back exactly.
 */
class InpaintingTest {
    @TempDir
    static Path tmp;
    static InpaintingPipeline pipeline;
    static final double S = ToyEditPipelines.SPEC.scalingFactor();

    @BeforeAll
    static void load() throws Exception {
        pipeline = InpaintingPipeline.load(ToyEditPipelines.write(tmp.resolve("inpaint"), Kind.INPAINTING),
                PipelineSettings.defaults());
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    static EditRequest request(String prompt, double guidance) {
        return EditRequest.of("toy", prompt, 9, WIDTH, HEIGHT).withSteps(8).withScheduler(SchedulerKind.DDIM)
                .withGuidance(guidance, 1);
    }

    /** Latent block (bx, by) is w·c where {@code masked} says so, else the image's scaled latent. */
    static void assertLatents(float[] latents, float[] c, double w, BiPredicate<Integer, Integer> masked) {
        int lw = WIDTH / 8;
        int plane = lw * (HEIGHT / 8);
        for (int ch = 0; ch < 4; ch++) {
            for (int by = 0; by < HEIGHT / 8; by++) {
                for (int bx = 0; bx < lw; bx++) {
                    double expected = masked.test(bx, by) ? w * c[ch] : ch < 3 ? S * blockValue(bx, by, ch) : 0;
                    assertThat((double) latents[ch * plane + by * lw + bx]).as("latent c%d (%d,%d)", ch, bx, by)
                            .isCloseTo(expected, within(2e-4));
                }
            }
        }
    }

    static void assertOutsideIsExact(BufferedImage out, BufferedImage original, BufferedImage mask) {
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                if ((mask.getRGB(x, y) & 0xff) <= InpaintMask.THRESHOLD) {
                    assertThat(out.getRGB(x, y)).as("kept pixel (%d,%d)", x, y).isEqualTo(original.getRGB(x, y));
                }
            }
        }
    }

    @Test
    void repaintsOnlyTheMaskedRegionWithThePromptsColour() {
        BufferedImage image = EditTestImages.blocks();
        BufferedImage mask = EditTestImages.mask(16, 8, 48, 40, 255);
        EditResult r = pipeline.inpaint(image, mask, request("red", 1));
        float[] red = ToyEditPipelines.promptLatent("red");
        assertLatents(r.latents(), red, 1, (bx, by) -> bx >= 2 && bx < 6 && by >= 1 && by < 5);
        assertOutsideIsExact(r.image(), image, mask);
        float[] rgb = ToyPipeline.imageColour(ToyEditPipelines.SPEC, red);
        int f = InpaintingPipeline.FEATHER;
        for (int y = 8 + f + 1; y < 40 - f - 1; y++) {
            for (int x = 16 + f + 1; x < 48 - f - 1; x++) assertPixel(r.image(), x, y, rgb, 1);
        }
        assertThat(r.timings().unetRuns()).as("guidance 1 needs no unconditional run").isEqualTo(8);
    }

    @Test
    void theSeamIsFeatheredInsideTheMask() {
        BufferedImage image = EditTestImages.blocks();
        EditResult r = pipeline.inpaint(image, EditTestImages.mask(16, 8, 48, 40, 255), request("blue", 1));
        int edge = r.image().getRGB(16, 20) >> 16 & 0xff;
        int original = image.getRGB(16, 20) >> 16 & 0xff;
        float[] blue = ToyPipeline.imageColour(ToyEditPipelines.SPEC, ToyEditPipelines.promptLatent("blue"));
        int painted = Math.round((blue[0] + 1) * 127.5f);
        assertThat(original).isNotEqualTo(painted);
        assertThat(edge).as("a blend of the original and the repainted level")
                .isStrictlyBetween(Math.min(original, painted), Math.max(original, painted));
    }

    @Test
    void classifierFreeGuidanceScalesThePromptInTheMaskOnly() {
        BufferedImage image = EditTestImages.blocks();
        BufferedImage mask = EditTestImages.mask(0, 0, 24, 16, 255);
        EditResult r = pipeline.inpaint(image, mask, request("green", 2.5));
        assertLatents(r.latents(), ToyEditPipelines.promptLatent("green"), 2.5, (bx, by) -> bx < 3 && by < 2);
        assertOutsideIsExact(r.image(), image, mask);
        assertThat(r.timings().unetRuns()).as("one batched run of two per step").isEqualTo(8);
    }

    @Test
    void maskIsThresholdedAbove125() {
        BufferedImage image = EditTestImages.blocks();
        BufferedImage mask = EditTestImages.mask(0, 0, WIDTH, HEIGHT, 125);
        for (int y = 0; y < HEIGHT; y++) for (int x = 32; x < WIDTH; x++) mask.setRGB(x, y, 0x7e7e7e); // 126
        InpaintMask m = InpaintMask.of(mask, WIDTH, HEIGHT);
        assertThat(m.repaints(31, 5)).isFalse();
        assertThat(m.repaints(32, 5)).isTrue();
        EditResult r = pipeline.inpaint(image, mask, request("white", 1));
        assertLatents(r.latents(), ToyEditPipelines.promptLatent("white"), 1, (bx, by) -> bx >= 4);
        assertThatThrownBy(() -> pipeline.inpaint(image, EditTestImages.mask(0, 0, WIDTH, HEIGHT, 125), request("red", 1)))
                .isInstanceOf(AtelierException.class).hasMessageContaining("marks nothing to repaint");
    }

    @Test
    void keptPixelsStayExactWhenTheMaskCutsThroughLatentBlocks() {
        BufferedImage image = EditTestImages.blocks();
        BufferedImage mask = EditTestImages.mask(13, 5, 30, 27, 255);
        EditResult r = pipeline.inpaint(image, mask, request("purple", 1));
        // every latent block holding a repainted pixel is repainted
        assertLatents(r.latents(), ToyEditPipelines.promptLatent("purple"), 1, (bx, by) -> bx >= 1 && bx <= 3 && by <= 3);
        assertOutsideIsExact(r.image(), image, mask);
    }

    @Test
    void aMaskOfAnotherShapeIsRefused() {
        BufferedImage wide = new BufferedImage(80, 48, BufferedImage.TYPE_INT_RGB);
        assertThatThrownBy(() -> pipeline.inpaint(EditTestImages.blocks(), wide, request("red", 1)))
                .isInstanceOf(AtelierException.class).hasMessageContaining("mask is 80x48").hasMessageContaining("64x48");
    }

    @Test
    void modelsOfOtherKindsAreRefusedNamingTheSampleInput() throws Exception {
        Path ip2p = ToyEditPipelines.write(tmp.resolve("ip2p"), Kind.INSTRUCT_PIX2PIX);
        assertThatThrownBy(() -> InpaintingPipeline.load(ip2p, PipelineSettings.defaults()))
                .isInstanceOf(AtelierException.class).hasMessageContaining("'sample'")
                .hasMessageContaining("8 channels").hasMessageContaining("InstructPix2Pix")
                .hasMessageContaining("inpainting UNet with 9");
    }

    @Test
    void aPipelineWithoutVaeEncoderIsRefusedNamingTheFile() throws Exception {
        Path dir = ToyEditPipelines.write(tmp.resolve("no-encoder"), Kind.INPAINTING);
        java.nio.file.Files.delete(dir.resolve("vae_encoder/model.onnx"));
        assertThatThrownBy(() -> InpaintingPipeline.load(dir, PipelineSettings.defaults()))
                .isInstanceOf(AtelierException.class).hasMessageContaining("vae_encoder/model.onnx");
    }

    @Test
    void aUnetExportedForBatchOneRunsTwicePerStepWithGuidance() throws Exception {
        Path dir = ToyEditPipelines.write(tmp.resolve("inpaint-b1"), Kind.INPAINTING, false, true);
        try (InpaintingPipeline p = InpaintingPipeline.load(dir, PipelineSettings.defaults())) {
            EditResult r = p.inpaint(EditTestImages.blocks(), EditTestImages.mask(0, 0, 24, 16, 255), request("green", 2.5));
            assertLatents(r.latents(), ToyEditPipelines.promptLatent("green"), 2.5, (bx, by) -> bx < 3 && by < 2);
            assertThat(r.timings().unetRuns()).isEqualTo(2 * 8);
        }
    }

    @Test
    void renderingSmallerStillKeepsTheInputsPixelsAndSize() {
        BufferedImage image = EditTestImages.blocks();
        BufferedImage mask = EditTestImages.mask(16, 8, 48, 40, 255);
        EditRequest half = EditRequest.of("toy", "red", 9, 32, 24).withSteps(8).withScheduler(SchedulerKind.DDIM)
                .withGuidance(1, 1);
        EditResult r = pipeline.inpaint(image, mask, half);
        assertThat(r.image().getWidth()).isEqualTo(WIDTH);
        assertThat(r.image().getHeight()).isEqualTo(HEIGHT);
        assertThat(r.latents()).hasSize(4 * 4 * 3);
        assertOutsideIsExact(r.image(), image, mask);
        float[] rgb = ToyPipeline.imageColour(ToyEditPipelines.SPEC, ToyEditPipelines.promptLatent("red"));
        for (int y = 18; y < 30; y++) for (int x = 26; x < 38; x++) assertPixel(r.image(), x, y, rgb, 2);
    }
}
