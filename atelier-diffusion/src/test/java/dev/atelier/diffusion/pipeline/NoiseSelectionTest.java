package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyPipeline;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request's noise generator reaches the sampling loop, is the default when unnamed, and is stored for replays. */
class NoiseSelectionTest {
    @TempDir
    static Path tmp;
    static StableDiffusionPipeline sd15;

    @BeforeAll
    static void load() throws Exception {
        sd15 = StableDiffusionPipeline.load(ToyPipeline.write(tmp.resolve("sd15"), ToyPipeline.Spec.sd15()),
                PipelineSettings.defaults());
    }

    @AfterAll
    static void close() {
        if (sd15 != null) sd15.close();
    }

    private static GenerationRequest request() {
        // ancestral sampling draws noise on every step, so the generator shows in the result
        return GenerationRequest.of("toy", "red", 42).withSize(64, 64).withSteps(6).withGuidance(1)
                .withScheduler(SchedulerKind.EULER_ANCESTRAL);
    }

    @Test
    void torchCpuIsTheDefaultAndDiffersFromAteliersOwnGenerator() {
        GeneratedImage unnamed = sd15.generate(request()).images().getFirst();
        GeneratedImage torch = sd15.generate(request().withNoise(NoiseKind.TORCH_CPU)).images().getFirst();
        GeneratedImage atelier = sd15.generate(request().withNoise(NoiseKind.ATELIER)).images().getFirst();
        assertThat(unnamed.latents()).containsExactly(torch.latents());
        assertThat(atelier.latents()).isNotEqualTo(torch.latents());
        assertThat(unnamed.request().noise()).isEqualTo(NoiseKind.TORCH_CPU);
        assertThat(atelier.request().noise()).isEqualTo(NoiseKind.ATELIER);
    }

    @Test
    void thePngMetadataKeepsTheGeneratorSoAReplayUsesIt() {
        GeneratedImage atelier = sd15.generate(request().withNoise(NoiseKind.ATELIER)).images().getFirst();
        String json = GenerationMetadata.pngText(atelier.request(), "toy").get(GenerationMetadata.REQUEST_KEY);
        assertThat(json).contains("\"noise\":\"atelier\"");
        GenerationRequest replay = GenerationMetadata.fromJson(json);
        assertThat(replay.noise()).isEqualTo(NoiseKind.ATELIER);
        assertThat(sd15.generate(replay).images().getFirst().latents()).containsExactly(atelier.latents());
    }

    @Test
    void requestsStoredBeforeTheNoiseFieldReplayWithAteliersGenerator() {
        String json = GenerationMetadata.toJson(request());
        assertThat(json).doesNotContain("noise");
        assertThat(GenerationMetadata.fromJson(json).noise()).isEqualTo(NoiseKind.ATELIER);
    }
}
