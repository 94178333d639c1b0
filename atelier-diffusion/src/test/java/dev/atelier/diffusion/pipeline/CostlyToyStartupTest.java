package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's toy with a costly UNet still lands on the prompt's colour (its convolutions enter as a zero), and
 * a pipeline opened with its sessions in parallel through the optimised-graph cache renders what it did before.
 */
class CostlyToyStartupTest {

    @Test
    void theCostlyUnetKeepsTheAnalyticAnswerAndCostsMore(@TempDir Path tmp) throws Exception {
        Spec spec = Spec.sd15();
        Path cheap = ToyPipeline.write(tmp.resolve("cheap"), spec);
        Path costly = ToyPipeline.writeWithCostlyUnet(tmp.resolve("costly"), spec, 3, 16);
        assertThat(Files.size(costly.resolve("unet/model.onnx"))).isGreaterThan(Files.size(cheap.resolve("unet/model.onnx")) + 20_000);
        GenerationRequest request = GenerationRequest.of("toy", "a red cat", 5).withSize(64, 64).withSteps(6)
                .withGuidance(1).withScheduler(SchedulerKind.DDIM);
        float[] colour = ToyPipeline.latentColour(spec, "red");
        try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(costly, PipelineSettings.defaults())) {
            assertThat(pipeline.directory().defaultImageSize()).isEqualTo(512); // SD 1.5's size by default
            GeneratedImage image = pipeline.generate(request).images().getFirst();
            TextToImageTest.assertLatentsAre(image.latents(), colour, 1e-4);
        }
    }

    @Test
    void cachedAndParallelOpeningRendersTheSameImage(@TempDir Path tmp) throws Exception {
        Spec spec = Spec.sd15();
        Path toy = ToyPipeline.writeWithCostlyUnet(tmp.resolve("toy"), spec, 2, 8);
        GenerationRequest request = GenerationRequest.of("toy", "a blue dog", 11).withSize(64, 64).withSteps(4)
                .withScheduler(SchedulerKind.EULER_ANCESTRAL);
        String previous = System.getProperty("atelier.ort.cache");
        System.setProperty("atelier.ort.cache", tmp.resolve("cache").toString());
        try {
            float[][] latents = new float[3][];
            for (int i = 0; i < 3; i++) { // the first writes the cache, the others load from it
                try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(toy, PipelineSettings.defaults())) {
                    latents[i] = pipeline.generate(request).images().getFirst().latents();
                }
            }
            try (var entries = Files.list(tmp.resolve("cache"))) {
                assertThat(entries.filter(p -> p.toString().endsWith(".onnx")).count()).isEqualTo(3); // text encoder, UNet, VAE decoder
            }
            assertThat(latents[1]).containsExactly(latents[0]);
            assertThat(latents[2]).containsExactly(latents[0]);
        } finally {
            if (previous == null) System.clearProperty("atelier.ort.cache");
            else System.setProperty("atelier.ort.cache", previous);
        }
    }
}
