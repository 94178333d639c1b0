package dev.atelier.diffusion.pipeline;

import static dev.atelier.diffusion.pipeline.TextToImageTest.assertLatentsAre;

import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every sampler, on both ε- and v-prediction toys, ends on the prompt's colour (the toy's x₀ is exact). */
class SchedulersOnToyTest {
    @TempDir
    static Path tmp;
    static StableDiffusionPipeline eps;
    static StableDiffusionPipeline v;

    @BeforeAll
    static void load() throws Exception {
        eps = StableDiffusionPipeline.load(ToyPipeline.write(tmp.resolve("eps"), Spec.sd15()), PipelineSettings.defaults());
        v = StableDiffusionPipeline.load(ToyPipeline.write(tmp.resolve("v"), Spec.sd2()), PipelineSettings.defaults());
    }

    @AfterAll
    static void close() {
        eps.close();
        v.close();
    }

    @ParameterizedTest
    @EnumSource(SchedulerKind.class)
    void landsOnThePromptsColour(SchedulerKind kind) {
        int steps = kind == SchedulerKind.LCM ? 4 : 20;
        double tolerance = kind == SchedulerKind.LCM ? 2e-3 : 2e-4; // LCM keeps a c_skip-weighted trace of x_t
        for (StableDiffusionPipeline p : new StableDiffusionPipeline[] {eps, v}) {
            GenerationRequest r = GenerationRequest.of("toy", "a green house", 7).withSize(64, 64).withSteps(steps)
                    .withScheduler(kind).withGuidance(3).withNegativePrompt("red");
            float[] cc = ToyPipeline.latentColour(Spec.sd15(), "green");
            float[] cu = ToyPipeline.latentColour(Spec.sd15(), "red");
            float[] expected = new float[4];
            for (int i = 0; i < 4; i++) expected[i] = cu[i] + 3 * (cc[i] - cu[i]);
            assertLatentsAre(p.generate(r).images().getFirst().latents(), expected, tolerance);
        }
    }
}
