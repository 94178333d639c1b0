package dev.atelier.diffusion.pipeline;

import static dev.atelier.diffusion.pipeline.EditTestImages.HEIGHT;
import static dev.atelier.diffusion.pipeline.EditTestImages.WIDTH;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * InstructPix2Pix on the toy: its UNet's x₀ is s·image + c(prompt), so the three-way guidance lands on
 * s_T·c + s_I·s·image exactly (DDIM's last step returns x₀).
 */
class InstructPix2PixTest {
    @TempDir
    static Path tmp;
    static InstructPix2PixPipeline pipeline;
    static final double S = ToyEditPipelines.SPEC.scalingFactor();

    @BeforeAll
    static void load() throws Exception {
        pipeline = InstructPix2PixPipeline.load(ToyEditPipelines.write(tmp.resolve("ip2p"), Kind.INSTRUCT_PIX2PIX),
                PipelineSettings.defaults());
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    static EditRequest request(String instruction, double text, double image) {
        return EditRequest.of("toy", instruction, 5, WIDTH, HEIGHT).withSteps(8).withScheduler(SchedulerKind.DDIM)
                .withGuidance(text, image);
    }

    /** Expected final latent at latent pixel (bx, by), channel c, for x₀ = textPart·c + imagePart·s·image. */
    static void assertLandsOn(float[] latents, float[] promptLatent, double textPart, double imagePart) {
        int plane = (WIDTH / 8) * (HEIGHT / 8);
        for (int c = 0; c < 4; c++) {
            for (int by = 0; by < HEIGHT / 8; by++) {
                for (int bx = 0; bx < WIDTH / 8; bx++) {
                    double image = c < 3 ? blockValue(bx, by, c) : 0;
                    double expected = textPart * promptLatent[c] + imagePart * S * image;
                    assertThat((double) latents[c * plane + by * (WIDTH / 8) + bx]).as("latent c%d (%d,%d)", c, bx, by)
                            .isCloseTo(expected, within(2e-4));
                }
            }
        }
    }

    @Test
    void threeWayGuidanceLandsOnTextScaleTimesPromptPlusImageScaleTimesImage() {
        EditResult r = pipeline.edit(EditTestImages.blocks(), request("red", 3, 1.5));
        assertLandsOn(r.latents(), ToyEditPipelines.promptLatent("red"), 3, 1.5);
        assertThat(r.timings().unetRuns()).as("one batched run of three per step").isEqualTo(8);

        EditResult other = pipeline.edit(EditTestImages.blocks(), request("blue", 1.5, 2.5));
        assertLandsOn(other.latents(), ToyEditPipelines.promptLatent("blue"), 1.5, 2.5);
    }

    @Test
    void combineWeighsTextAgainstImageAndImageAgainstUnconditional() {
        float[] batched = {1f, 10f, 0.25f, 4f, -0.5f, 2f}; // [text ‖ image ‖ uncond], two values each
        float[] out = InstructPix2PixPipeline.combine(batched, 7.5, 1.5);
        assertThat(out[0]).isCloseTo(-0.5f + 7.5f * (1f - 0.25f) + 1.5f * (0.25f + 0.5f), within(1e-6f));
        assertThat(out[1]).isCloseTo(2f + 7.5f * (10f - 4f) + 1.5f * (4f - 2f), within(1e-5f));
    }

    @Test
    void emptyInstructionReturnsTheImage() {
        BufferedImage image = EditTestImages.blocks();
        EditResult r = pipeline.edit(image, request("", 7.5, 1));
        assertLandsOn(r.latents(), new float[4], 0, 1);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) assertThat(r.image().getRGB(x, y)).as("(%d,%d)", x, y).isEqualTo(image.getRGB(x, y));
        }
    }

    @Test
    void withoutGuidanceOneRunPerStepLandsOnImagePlusPrompt() {
        AtomicInteger steps = new AtomicInteger();
        EditResult r = pipeline.edit(EditTestImages.blocks(), request("green", 1, 1.5), e -> {
            steps.incrementAndGet();
            return true;
        });
        assertLandsOn(r.latents(), ToyEditPipelines.promptLatent("green"), 1, 1);
        assertThat(r.timings().unetRuns()).isEqualTo(8);
        assertThat(steps.get()).isEqualTo(8);
        assertThat(r.request().scheduler()).isEqualTo(SchedulerKind.DDIM);
    }

    @Test
    void imageLatentsAreTheEncoderMeanWhenItReturnsMeanAndLogVariance() throws Exception {
        Path dir = ToyEditPipelines.write(tmp.resolve("ip2p-dist"), Kind.INSTRUCT_PIX2PIX, true);
        try (InstructPix2PixPipeline p = InstructPix2PixPipeline.load(dir, PipelineSettings.defaults())) {
            EditResult r = p.edit(EditTestImages.blocks(), request("yellow", 2, 1.5));
            assertLandsOn(r.latents(), ToyEditPipelines.promptLatent("yellow"), 2, 1.5);
        }
    }

    @Test
    void aResizedImageIsEditedAtTheRequestedSize() {
        EditResult r = pipeline.edit(EditTestImages.blocks(), EditRequest.of("toy", "", 1, 32, 24).withSteps(4)
                .withScheduler(SchedulerKind.DDIM).withGuidance(1, 1));
        assertThat(r.image().getWidth()).isEqualTo(32);
        assertThat(r.image().getHeight()).isEqualTo(24);
        assertThat(r.latents()).hasSize(4 * 4 * 3);
    }

    @Test
    void modelsOfOtherKindsAreRefusedNamingTheSampleInput() throws Exception {
        Path sd = ToyPipeline.write(tmp.resolve("sd"), ToyPipeline.Spec.sd15());
        assertThatThrownBy(() -> InstructPix2PixPipeline.load(sd, PipelineSettings.defaults()))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("'sample'").hasMessageContaining("4 channels")
                .hasMessageContaining("text-to-image").hasMessageContaining("InstructPix2Pix UNet with 8");
        Path inpaint = ToyEditPipelines.write(tmp.resolve("inpaint"), Kind.INPAINTING);
        assertThatThrownBy(() -> InstructPix2PixPipeline.load(inpaint, PipelineSettings.defaults()))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("'sample'").hasMessageContaining("9 channels").hasMessageContaining("inpainting");
    }

    @Test
    void pipelineKindComesFromTheUnetConfigOrTheClassName() throws Exception {
        Path sd = ToyPipeline.write(tmp.resolve("kind-sd"), ToyPipeline.Spec.sd15());
        Path ip2p = ToyEditPipelines.write(tmp.resolve("kind-ip2p"), Kind.INSTRUCT_PIX2PIX);
        Path inpaint = ToyEditPipelines.write(tmp.resolve("kind-inpaint"), Kind.INPAINTING);
        assertThat(PipelineKind.of(PipelineDirectory.open(sd))).isEqualTo(PipelineKind.TEXT_TO_IMAGE);
        assertThat(PipelineKind.of(PipelineDirectory.open(ip2p))).isEqualTo(PipelineKind.INSTRUCT_PIX2PIX);
        assertThat(PipelineKind.of(PipelineDirectory.open(inpaint))).isEqualTo(PipelineKind.INPAINTING);
        java.nio.file.Files.delete(ip2p.resolve("unet/config.json"));
        assertThat(PipelineKind.of(PipelineDirectory.open(ip2p))).as("from _class_name").isEqualTo(PipelineKind.INSTRUCT_PIX2PIX);
    }

    @Test
    void badGuidanceIsRefused() {
        assertThatThrownBy(() -> request("red", 7.5, -1)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("--image-guidance");
    }

    @Test
    void aUnetExportedForBatchOneRunsThreeTimesPerStepAndLandsTheSame() throws Exception {
        Path dir = ToyEditPipelines.write(tmp.resolve("ip2p-b1"), Kind.INSTRUCT_PIX2PIX, false, true);
        try (InstructPix2PixPipeline p = InstructPix2PixPipeline.load(dir, PipelineSettings.defaults())) {
            EditResult r = p.edit(EditTestImages.blocks(), request("purple", 4, 1.25));
            assertLandsOn(r.latents(), ToyEditPipelines.promptLatent("purple"), 4, 1.25);
            assertThat(r.timings().unetRuns()).isEqualTo(3 * 8);
        }
    }

    @Test
    void theSchedulersOfTextToImageLandOnTheSameEdit() {
        for (SchedulerKind kind : new SchedulerKind[] {SchedulerKind.EULER, SchedulerKind.DPMPP_2M_KARRAS, SchedulerKind.EULER_ANCESTRAL}) {
            EditResult r = pipeline.edit(EditTestImages.blocks(), request("orange", 2, 1.5).withSteps(20).withScheduler(kind));
            int plane = (WIDTH / 8) * (HEIGHT / 8);
            float[] c = ToyEditPipelines.promptLatent("orange");
            assertThat((double) r.latents()[3 * plane]).as(kind.cliName()).isCloseTo(2 * c[3], within(2e-3));
            assertThat((double) r.latents()[0]).as(kind.cliName()).isCloseTo(2 * c[0] + 1.5 * S * blockValue(0, 0, 0), within(2e-3));
        }
    }

    @Test
    void theSameSeedGivesTheSameBits() {
        EditRequest r = request("red", 3, 1.5).withScheduler(SchedulerKind.EULER_ANCESTRAL).withSteps(5).withSeed(42);
        float[] a = pipeline.edit(EditTestImages.blocks(), r).latents();
        float[] b = pipeline.edit(EditTestImages.blocks(), r).latents();
        assertThat(b).containsExactly(a);
    }
}
