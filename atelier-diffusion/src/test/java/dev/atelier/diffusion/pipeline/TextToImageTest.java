package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text-to-image on analytic toy pipelines: every correct sampler must end on the colour the prompt names. */
class TextToImageTest {
    @TempDir
    static Path tmp;
    static Spec spec = Spec.sd15();
    static StableDiffusionPipeline sd15;

    @BeforeAll
    static void load() throws Exception {
        sd15 = StableDiffusionPipeline.load(ToyPipeline.write(tmp.resolve("sd15"), spec), PipelineSettings.defaults());
    }

    @AfterAll
    static void close() {
        if (sd15 != null) sd15.close();
    }

    static GenerationRequest request(String prompt) {
        return GenerationRequest.of("toy", prompt, 42).withSize(64, 64).withSteps(10).withGuidance(1)
                .withScheduler(SchedulerKind.DDIM);
    }

    static void assertLatentsAre(float[] latents, float[] colour, double tolerance) {
        int plane = latents.length / 4;
        for (int i = 0; i < latents.length; i++) {
            assertThat((double) latents[i]).as("latent %d", i).isCloseTo(colour[i / plane], within(tolerance));
        }
    }

    static void assertImageIs(BufferedImage image, float[] rgb, int levels) {
        int[] expected = new int[3];
        for (int c = 0; c < 3; c++) expected[c] = Math.round((rgb[c] + 1) * 127.5f);
        for (int y = 0; y < image.getHeight(); y += 7) {
            for (int x = 0; x < image.getWidth(); x += 5) {
                int p = image.getRGB(x, y);
                assertThat((p >> 16) & 0xff).isCloseTo(expected[0], within(levels));
                assertThat((p >> 8) & 0xff).isCloseTo(expected[1], within(levels));
                assertThat(p & 0xff).isCloseTo(expected[2], within(levels));
            }
        }
    }

    @Test
    void ddimLandsOnThePromptsColour() {
        GenerationResult result = sd15.generate(request("a photo of a red cat"));
        float[] c = ToyPipeline.latentColour(spec, "red");
        GeneratedImage image = result.images().getFirst();
        assertLatentsAre(image.latents(), c, 1e-4);
        assertThat(image.image().getWidth()).isEqualTo(64);
        assertImageIs(image.image(), ToyPipeline.imageColour(spec, c), 1);
        assertThat(result.timings().unetRuns()).isEqualTo(10);
        assertThat(result.request().scheduler()).isEqualTo(SchedulerKind.DDIM);
    }

    @Test
    void twoColourWordsAddUp() {
        GeneratedImage image = sd15.generate(request("red and blue")).images().getFirst();
        assertLatentsAre(image.latents(), ToyPipeline.latentColour(spec, "red", "blue"), 1e-4);
    }

    @Test
    void emphasisScalesTokenStatesAndKeepsTheChunkMean() {
        GeneratedImage image = sd15.generate(request("(red:1.5) blue")).images().getFirst();
        // A1111: red's states × 1.5, then the chunk × (Σ before / Σ after) = (−0.2)/(−0.25) = 0.8 (row sums: red
        // 0.4−0.3−0.3+0.1 = −0.1, blue −0.1) → 1.2·red + 0.8·blue
        float[] red = ToyPipeline.latentColour(spec, "red");
        float[] blue = ToyPipeline.latentColour(spec, "blue");
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) expected[i] = 1.2f * red[i] + 0.8f * blue[i];
        assertLatentsAre(image.latents(), expected, 1e-4);
    }

    @Test
    void classifierFreeGuidanceLandsOnTheExtrapolatedColour() {
        double w = 2.5;
        GenerationResult result = sd15.generate(request("green").withNegativePrompt("blue").withGuidance(w));
        float[] cc = ToyPipeline.latentColour(spec, "green");
        float[] cu = ToyPipeline.latentColour(spec, "blue");
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) expected[i] = (float) (cu[i] + w * (cc[i] - cu[i]));
        assertLatentsAre(result.images().getFirst().latents(), expected, 1e-4);
        assertThat(result.timings().unetRuns()).as("uncond and cond batched in one run per step").isEqualTo(10);
    }

    @Test
    void guidanceAtOneOrBelowRunsOnlyTheConditionalBranch() {
        GenerationResult result = sd15.generate(request("green").withNegativePrompt("blue").withGuidance(1.0));
        assertLatentsAre(result.images().getFirst().latents(), ToyPipeline.latentColour(spec, "green"), 1e-4);
    }

    @Test
    void promptsLongerThanOneChunkAreConcatenatedOnTheTokenAxis() {
        String filler = "a photo of a cat ".repeat(16); // 80 tokens: "red" falls into the second chunk
        GeneratedImage image = sd15.generate(request(filler + "red").withGuidance(3).withNegativePrompt("")).images().getFirst();
        // the unconditional prompt is empty (colour 0): CFG gives 3 · red
        float[] red = ToyPipeline.latentColour(spec, "red");
        for (int i = 0; i < 4; i++) red[i] *= 3;
        assertLatentsAre(image.latents(), red, 1e-4);
    }

    @Test
    void sameSeedGivesIdenticalBitsAndBatchImagesUseConsecutiveSeeds() {
        GenerationRequest r = request("orange").withBatchSize(3).withSeed(10).withSteps(4);
        java.util.Map<Integer, float[]> firstStep = new java.util.HashMap<>();
        GenerationResult batch = sd15.generate(r, e -> {
            if (e.step() == 1) firstStep.put(e.imageIndex(), e.latents());
            return true;
        });
        assertThat(batch.images()).extracting(GeneratedImage::seed).containsExactly(10L, 11L, 12L);
        float[][] single = new float[1][];
        GenerationResult alone = sd15.generate(r.withBatchSize(1).withSeed(12), e -> {
            if (e.step() == 1) single[0] = e.latents();
            return true;
        });
        assertThat(single[0]).containsExactly(firstStep.get(2));
        assertThat(firstStep.get(0)).isNotEqualTo(firstStep.get(1));
        assertThat(alone.images().getFirst().latents()).containsExactly(batch.images().get(2).latents());
        assertThat(Pngs.bytes(alone.images().getFirst().image())).isEqualTo(Pngs.bytes(batch.images().get(2).image()));
        GenerationResult again = sd15.generate(r.withBatchSize(1).withSeed(12));
        assertThat(again.images().getFirst().latents()).containsExactly(alone.images().getFirst().latents());
        assertThat(batch.images().get(2).request().seed()).isEqualTo(12);
        assertThat(batch.images().get(2).request().batchSize()).isEqualTo(1);
    }

    @Test
    void callbackSeesEveryStepGivesPreviewsAndCanCancel() {
        int[] calls = {0};
        BufferedImage[] preview = new BufferedImage[1];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sd15.generate(request("red").withSteps(6), e -> {
            calls[0]++;
            preview[0] = e.preview();
            assertThat(e.steps()).isEqualTo(6);
            return e.step() < 2;
        })).isInstanceOf(GenerationCancelledException.class).hasMessageContaining("step 2 of 6");
        assertThat(calls[0]).isEqualTo(2);
        assertThat(preview[0].getWidth()).isEqualTo(8); // latent resolution
        assertThat(preview[0].getHeight()).isEqualTo(8);
    }

    @Test
    void timingsCountTimeInsideSessions() {
        Timings t = sd15.generate(request("red")).timings();
        assertThat(t.insideSessions()).isPositive().isLessThanOrEqualTo(t.total());
        assertThat(t.overhead()).isBetween(0.0, 1.0);
        assertThat(t.textEncoding() + t.denoising() + t.vae()).isLessThanOrEqualTo(t.total());
    }

    @Test
    void vPredictionFloatTimestepAndInt64IdsLandOnTheColour(@TempDir Path dir) throws Exception {
        Spec sd2 = Spec.sd2();
        try (var p = StableDiffusionPipeline.load(ToyPipeline.write(dir, sd2), PipelineSettings.defaults())) {
            GeneratedImage image = p.generate(request("purple")).images().getFirst();
            assertLatentsAre(image.latents(), ToyPipeline.latentColour(sd2, "purple"), 1e-4);
        }
    }

    @Test
    void fp16ModelsWithExternalDataAndPerSampleTimestepsRun(@TempDir Path dir) throws Exception {
        Spec half = Spec.sd15().withFp16().withExternalData().withTimestepPerSample().withIds(ElemType.INT64)
                .withTimestep(ElemType.FLOAT); // a float16 timestep
        try (var p = StableDiffusionPipeline.load(ToyPipeline.write(dir, half), PipelineSettings.defaults())) {
            GeneratedImage image = p.generate(request("yellow").withGuidance(2).withNegativePrompt("black"))
                    .images().getFirst();
            float[] cc = ToyPipeline.latentColour(half, "yellow");
            float[] cu = ToyPipeline.latentColour(half, "black");
            float[] expected = new float[4];
            for (int i = 0; i < 4; i++) expected[i] = cu[i] + 2 * (cc[i] - cu[i]);
            assertLatentsAre(image.latents(), expected, 2e-3);
        }
    }

    @Test
    void sdxlConcatenatesPenultimateStatesAndFeedsPooledEmbeds(@TempDir Path dir) throws Exception {
        Spec xl = Spec.sdxl();
        try (var p = StableDiffusionPipeline.load(ToyPipeline.write(dir, xl), PipelineSettings.defaults())) {
            GeneratedImage image = p.generate(request("white").withScheduler(SchedulerKind.DDIM)).images().getFirst();
            assertLatentsAre(image.latents(), ToyPipeline.latentColour(xl, "white"), 1e-4);
            assertImageIs(image.image(), ToyPipeline.imageColour(xl, ToyPipeline.latentColour(xl, "white")), 1);
            // empty negative prompt → zero unconditional embeddings (force_zeros_for_empty_prompt): c = w · c_white
            GeneratedImage guided = p.generate(request("white").withGuidance(2)).images().getFirst();
            float[] c = ToyPipeline.latentColour(xl, "white");
            for (int i = 0; i < 4; i++) c[i] *= 2;
            assertLatentsAre(guided.latents(), c, 1e-4);
        }
    }

    @Test
    void lcmGuidanceEmbeddingReplacesClassifierFreeGuidance(@TempDir Path dir) throws Exception {
        Spec lcm = Spec.sd15().withGuidanceEmbedding();
        try (var p = StableDiffusionPipeline.load(ToyPipeline.write(dir, lcm), PipelineSettings.defaults())) {
            assertThat(p.hasGuidanceEmbedding()).isTrue();
            assertThat(p.defaultScheduler()).isEqualTo(SchedulerKind.LCM);
            GenerationResult r = p.generate(request("green").withNegativePrompt("blue").withGuidance(1)
                    .withScheduler(SchedulerKind.LCM).withSteps(4));
            // no CFG (the negative prompt plays no part); guidance 1 embeds as sin(0)·128 ‖ cos(0)·128 → Σ = 128
            float[] c = ToyPipeline.latentColour(lcm, "green");
            c[3] += (float) (lcm.scalingFactor() * 0.001 * 128);
            assertLatentsAre(r.images().getFirst().latents(), c, 2e-3);
            assertThat(r.timings().unetRuns()).isEqualTo(4);
        }
        float[] e = StableDiffusionPipeline.guidanceEmbedding(1, 8);
        assertThat(e).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
    }

    @Test
    void turboStyleSingleStepWithoutGuidanceLandsOnTheColour() {
        GenerationResult r = sd15.generate(request("black").withSteps(1).withGuidance(0).withScheduler(SchedulerKind.EULER_ANCESTRAL));
        assertLatentsAre(r.images().getFirst().latents(), ToyPipeline.latentColour(spec, "black"), 1e-4);
        assertThat(r.timings().unetRuns()).isEqualTo(1);
    }

    @Test
    void taesdPreviewRendersAtFullResolution(@TempDir Path dir) throws Exception {
        Path model = ToyPipeline.write(dir, Spec.sd15());
        // the toy VAE decoder stands in for TAESD: it shows latent channels 0–2 as [0, 1] values
        var settings = PipelineSettings.defaults().withTaesdDecoder(model.resolve("vae_decoder/model.onnx"));
        try (var p = StableDiffusionPipeline.load(model, settings)) {
            BufferedImage[] preview = new BufferedImage[1];
            float[][] latents = new float[1][];
            p.generate(request("red").withSteps(3), e -> {
                if (e.step() == 3) {
                    preview[0] = e.preview();
                    latents[0] = e.latents();
                }
                return true;
            });
            assertThat(preview[0].getWidth()).isEqualTo(64);
            int red = (preview[0].getRGB(12, 12) >> 16) & 0xff;
            assertThat(red).isCloseTo(Math.round(Math.clamp(latents[0][1 * 8 + 1], 0f, 1f) * 255), within(1));
        }
    }

    @Test
    void sessionOptionsDoNotChangeTheResult(@TempDir Path dir) throws Exception {
        var options = dev.atelier.diffusion.onnx.SessionSettings.defaults().withIntraOpThreads(1).withMemoryArena(false)
                .withOptimisation(dev.atelier.diffusion.onnx.SessionSettings.Optimisation.NONE);
        try (var p = StableDiffusionPipeline.load(ToyPipeline.write(dir, spec), PipelineSettings.defaults().withSessions(options))) {
            float[] a = p.generate(request("blue").withSteps(3)).images().getFirst().latents();
            float[] b = sd15.generate(request("blue").withSteps(3)).images().getFirst().latents();
            assertThat(a).containsExactly(b, within(1e-6f));
        }
    }

    @Test
    void aUnetWithFixedBatchOneGetsGuidanceInTwoRunsPerStep(@TempDir Path dir) throws Exception {
        try (var p = StableDiffusionPipeline.load(ToyPipeline.write(dir, Spec.sd15().withUnetBatchOne()),
                PipelineSettings.defaults())) {
            GenerationResult r = p.generate(request("white").withNegativePrompt("black").withGuidance(1.5).withSteps(5));
            float[] cc = ToyPipeline.latentColour(spec, "white");
            float[] cu = ToyPipeline.latentColour(spec, "black");
            float[] expected = new float[4];
            for (int i = 0; i < 4; i++) expected[i] = cu[i] + 1.5f * (cc[i] - cu[i]);
            assertLatentsAre(r.images().getFirst().latents(), expected, 1e-4);
            assertThat(r.timings().unetRuns()).isEqualTo(10);
        }
    }
}
