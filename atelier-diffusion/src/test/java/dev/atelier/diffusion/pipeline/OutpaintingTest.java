package dev.atelier.diffusion.pipeline;

import static dev.atelier.diffusion.pipeline.EditTestImages.HEIGHT;
import static dev.atelier.diffusion.pipeline.EditTestImages.WIDTH;
import static dev.atelier.diffusion.pipeline.EditTestImages.assertPixel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.restore.BandStatistics;
import dev.atelier.core.restore.SeamRestoration;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyEditPipelines;
import dev.atelier.testkit.diffusion.ToyEditPipelines.Kind;
import dev.atelier.testkit.diffusion.ToyPipeline;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outpainting the 64×48 block image by 32 px on the left and 16 px at the bottom (overlap 8) on the toy inpainting
 * pipeline, whose repainted latents land on the prompt's colour: canvas 96×64, kept area x ≥ 40, y < 40.
 */
class OutpaintingTest {
    @TempDir
    static Path tmp;
    static OutpaintingPipeline pipeline;
    static final OutpaintExtension EXTENSION = new OutpaintExtension(32, 0, 0, 16, 8);
    static final int BAND = 16;

    @BeforeAll
    static void load() throws Exception {
        pipeline = OutpaintingPipeline.load(ToyEditPipelines.write(tmp.resolve("inpaint"), Kind.INPAINTING),
                PipelineSettings.defaults());
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    static EditRequest request() {
        return EditRequest.of("toy", "red", 5, 96, 64).withSteps(6).withScheduler(SchedulerKind.DDIM).withGuidance(1, 1);
    }

    static boolean kept(int x, int y) { return x >= 40 && y < 40; }

    @Test
    void theCanvasGrowsTheNewAreaTakesThePromptAndTheOriginalStaysExactBeyondTheBand() {
        BufferedImage image = EditTestImages.blocks();
        EditResult plain = pipeline.outpaint(image, EXTENSION, request(), null, StepCallback.NONE);
        EditResult restored = pipeline.outpaint(image, EXTENSION, request(), new SeamRestoration(BAND), StepCallback.NONE);
        float[] red = ToyPipeline.imageColour(ToyEditPipelines.SPEC, ToyEditPipelines.promptLatent("red"));
        for (EditResult r : new EditResult[] {plain, restored}) {
            assertThat(r.image().getWidth()).isEqualTo(96);
            assertThat(r.image().getHeight()).isEqualTo(64);
            for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) assertPixel(r.image(), x, y, red, 1);
            for (int y = 60; y < 64; y++) for (int x = 0; x < 4; x++) assertPixel(r.image(), x, y, red, 1);
        }
        // the bottom strip is only 24 px from the kept area, inside the restoration's reach: red only unrestored
        for (int y = 56; y < 64; y++) for (int x = 88; x < 96; x++) assertPixel(plain.image(), x, y, red, 1);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                if (!kept(x, y)) continue;
                int original = image.getRGB(x - 32, y);
                assertThat(plain.image().getRGB(x, y)).as("kept without restoration (%d,%d)", x, y).isEqualTo(original);
                if (x >= 40 + BAND && y < 40 - BAND) {
                    assertThat(restored.image().getRGB(x, y)).as("kept beyond the band (%d,%d)", x, y).isEqualTo(original);
                }
            }
        }
    }

    @Test
    void restorationShrinksTheColourStepAcrossTheSeam() {
        BufferedImage image = EditTestImages.blocks();
        boolean[] mask = EXTENSION.repaintMask(WIDTH, HEIGHT);
        EditResult plain = pipeline.outpaint(image, EXTENSION, request(), null, StepCallback.NONE);
        EditResult restored = pipeline.outpaint(image, EXTENSION, request(), new SeamRestoration(BAND), StepCallback.NONE);
        double before = BandStatistics.meanDifference(plain.image(), mask, 8);
        double after = BandStatistics.meanDifference(restored.image(), mask, 8);
        assertThat(before).as("step without restoration").isGreaterThan(20);
        assertThat(after).as("step with restoration (before %.1f)", before).isLessThan(before / 4);
    }

    @Test
    void theCanvasReplicatesTheEdgesAndTheMaskCoversNewAreaPlusOverlap() {
        BufferedImage image = EditTestImages.blocks();
        BufferedImage canvas = OutpaintingPipeline.extendCanvas(image, EXTENSION);
        assertThat(canvas.getRGB(0, 0)).isEqualTo(image.getRGB(0, 0));
        assertThat(canvas.getRGB(10, 20)).isEqualTo(image.getRGB(0, 20));
        assertThat(canvas.getRGB(70, 60)).isEqualTo(image.getRGB(38, HEIGHT - 1));
        assertThat(canvas.getRGB(50, 30)).isEqualTo(image.getRGB(18, 30));
        boolean[] mask = EXTENSION.repaintMask(WIDTH, HEIGHT);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) assertThat(mask[y * 96 + x]).as("(%d,%d)", x, y).isEqualTo(!kept(x, y));
        }
    }

    @Test
    void badExtensionsAreExplained() {
        assertThatThrownBy(() -> new OutpaintExtension(0, 0, 0, 0, 8)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("nothing to outpaint");
        assertThatThrownBy(() -> new OutpaintExtension(12, 0, 0, 0, 8)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("multiples of 8");
        assertThatThrownBy(() -> new OutpaintExtension(8, 0, 0, 0, -1)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("--overlap");
    }

    @Test
    void metadataRecordsTheExtension() {
        var text = OutpaintMetadata.pngText(request().withScheduler(SchedulerKind.DDIM), EXTENSION, BAND, "toy");
        assertThat(text.get("parameters")).endsWith(", Outpaint: left 32, top 0, right 0, bottom 16, overlap 8,"
                + " Seam restore: 16");
        assertThat(text.get(OutpaintMetadata.EXTENSION_KEY)).isEqualTo(
                "{\"left\":32,\"top\":0,\"right\":0,\"bottom\":16,\"overlap\":8,\"restoreBand\":16}");
    }
}
