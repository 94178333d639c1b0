package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.PngFiles;
import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationMetadataTest {
    private static final GenerationRequest REQUEST = new GenerationRequest("/models/sd15", "a red fox in snow",
            "blurry", 25, SchedulerKind.DPMPP_2M_KARRAS, 7, 0, 1234, 512, 768, 1, null, 0.75);

    @Test
    void a1111ParametersFollowTheThreeLineConvention() {
        assertThat(GenerationMetadata.a1111Parameters(REQUEST, "sd15")).isEqualTo("""
                a red fox in snow
                Negative prompt: blurry
                Steps: 25, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x768, Model: sd15""");
        GenerationRequest img2img = REQUEST.withNegativePrompt("").withGuidance(4.5).withInitImage("in.png", 0.6)
                .withScheduler(SchedulerKind.EULER_ANCESTRAL);
        assertThat(GenerationMetadata.a1111Parameters(img2img, "m")).isEqualTo("""
                a red fox in snow
                Steps: 25, Sampler: Euler a, CFG scale: 4.5, Seed: 1234, Size: 512x768, Model: m, Denoising strength: 0.6""");
    }

    @Test
    void theRequestSurvivesAPngRoundTrip(@TempDir Path dir) throws Exception {
        // a stored request names its noise generator (a request without one is an old image's: Atelier's generator)
        GenerationRequest r = REQUEST.withPrompt("ünïcode “quotes” ✓").withInitImage("in.png", 0.3).withGuidanceRescale(0.7)
                .withNoise(NoiseKind.TORCH_CPU);
        Path png = dir.resolve("out.png");
        PngFiles.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), GenerationMetadata.pngText(r, "sd15"), png);
        Map<String, String> text = PngFiles.readText(png);
        assertThat(text.get("parameters")).startsWith("ünïcode “quotes” ✓\nNegative prompt: blurry\nSteps: 25");
        assertThat(GenerationMetadata.readRequest(png)).isEqualTo(r);
    }

    @Test
    void aPngWithoutGenerationDataCannotBeReplayed(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("plain.png");
        PngFiles.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), Map.of("Software", "x"), png);
        assertThatThrownBy(() -> GenerationMetadata.readRequest(png)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("atelier-request").hasMessageContaining("--from");
        Path other = dir.resolve("a1111.png");
        PngFiles.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB),
                Map.of("parameters", "a dog\nSteps: 12, Sampler: Euler a, CFG scale: 5, Seed: 8, Size: 64x64"), other);
        GenerationRequest r = GenerationMetadata.readRequest(other);
        assertThat(r.prompt()).isEqualTo("a dog");
        assertThat(r.scheduler()).isEqualTo(SchedulerKind.EULER_ANCESTRAL);
    }

    @Test
    void a1111ParametersFromOtherToolsGiveTheSettings() {
        GenerationRequest r = GenerationMetadata.parseA1111("""
                masterpiece, (a cat:1.2) on a sofa,
                second line of prompt
                Negative prompt: lowres, blurry
                Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3141592653, Size: 640x448, \
                Model hash: abc123, Model: dreamshaper, Lora hashes: "detail: 1a2b, style: 3c4d", Version: v1.9.4""");
        assertThat(r.prompt()).isEqualTo("masterpiece, (a cat:1.2) on a sofa,\nsecond line of prompt");
        assertThat(r.negativePrompt()).isEqualTo("lowres, blurry");
        assertThat(r.steps()).isEqualTo(28);
        assertThat(r.scheduler()).isEqualTo(SchedulerKind.DPMPP_2M_KARRAS);
        assertThat(r.guidanceScale()).isEqualTo(6.5);
        assertThat(r.seed()).isEqualTo(3141592653L);
        assertThat(r.width()).isEqualTo(640);
        assertThat(r.height()).isEqualTo(448);
        assertThat(r.model()).isNull();
        GenerationRequest ours = GenerationMetadata.parseA1111(GenerationMetadata.a1111Parameters(REQUEST, "sd15"));
        assertThat(ours.withModel(REQUEST.model())).isEqualTo(REQUEST);
        assertThat(GenerationMetadata.parseA1111("just a prompt\nSteps: 4, Sampler: UniPC, Seed: 9").scheduler()).isNull();
        assertThatThrownBy(() -> GenerationMetadata.parseA1111("no settings here")).isInstanceOf(AtelierException.class)
                .hasMessageContaining("Steps");
    }
}
