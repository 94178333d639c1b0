package dev.atelier.diffusion.pipeline;

import static dev.atelier.diffusion.pipeline.TextToImageTest.assertImageIs;
import static dev.atelier.diffusion.pipeline.TextToImageTest.assertLatentsAre;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** img2img: strength 0 returns the init image through the VAE round trip, 1 ignores it, between runs part of the schedule. */
class ImageToImageTest {
    @TempDir
    static Path tmp;
    static StableDiffusionPipeline pipeline;
    static Path init;

    @BeforeAll
    static void load() throws Exception {
        pipeline = StableDiffusionPipeline.load(ToyPipeline.write(tmp.resolve("sd"), Spec.sd15()), PipelineSettings.defaults());
        // 8×8 blocks of one colour each survive the toy VAE's 8×8 average exactly
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                int bx = x / 8;
                int by = y / 8;
                image.setRGB(x, y, ((bx * 30) << 16) | ((by * 40) << 8) | ((bx * by * 5) & 0xff));
            }
        }
        init = tmp.resolve("init.png");
        ImageIO.write(image, "png", init.toFile());
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    private static GenerationRequest request(double strength) {
        return GenerationRequest.of("toy", "blue", 3).withSize(64, 48).withSteps(10).withScheduler(SchedulerKind.DDIM)
                .withGuidance(1).withInitImage(init.toString(), strength);
    }

    @Test
    void strengthZeroReturnsTheInitImage() throws Exception {
        AtomicInteger steps = new AtomicInteger();
        GenerationResult r = pipeline.generate(request(0), e -> steps.incrementAndGet() > 0);
        BufferedImage expected = ImageIO.read(init.toFile());
        BufferedImage out = r.images().getFirst().image();
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) assertThat(out.getRGB(x, y)).as("(%d,%d)", x, y).isEqualTo(expected.getRGB(x, y));
        }
        assertThat(steps.get()).isZero();
        assertThat(r.timings().unetRuns()).isZero();
    }

    @Test
    void strengthOneIgnoresTheInitImage() {
        GeneratedImage image = pipeline.generate(request(1)).images().getFirst();
        float[] c = ToyPipeline.latentColour(Spec.sd15(), "blue");
        assertLatentsAre(image.latents(), c, 1e-4);
        assertImageIs(image.image(), ToyPipeline.imageColour(Spec.sd15(), c), 1);
    }

    @Test
    void strengthBetweenRunsThatShareOfTheSchedule() {
        AtomicInteger steps = new AtomicInteger();
        GenerationResult r = pipeline.generate(request(0.55), e -> {
            steps.incrementAndGet();
            assertThat(e.steps()).isEqualTo(5);
            return true;
        });
        assertThat(steps.get()).isEqualTo(5); // int(10 · 0.55)
        assertLatentsAre(r.images().getFirst().latents(), ToyPipeline.latentColour(Spec.sd15(), "blue"), 1e-4);
        assertThat(r.request().initImage()).isEqualTo(init.toString());
    }

    @Test
    void aPipelineWithoutVaeEncoderSaysWhatImageToImageNeeds(@TempDir Path dir) throws Exception {
        try (var p = StableDiffusionPipeline.load(ToyPipeline.write(dir, Spec.sd15().withoutVaeEncoder()),
                PipelineSettings.defaults())) {
            assertThatThrownBy(() -> p.generate(request(0.5))).isInstanceOf(AtelierException.class)
                    .hasMessageContaining("vae_encoder/model.onnx");
        }
    }

    @Test
    void aMissingInitImageIsAClearError() {
        assertThatThrownBy(() -> pipeline.generate(request(0.5).withInitImage(tmp.resolve("nope.png").toString(), 0.5)))
                .isInstanceOf(AtelierException.class).hasMessageContaining("nope.png");
    }
}
