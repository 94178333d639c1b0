package dev.atelier.diffusion.pipeline;

import static dev.atelier.diffusion.pipeline.RegionalDiffusionTest.assertLatentPixel;
import static dev.atelier.diffusion.pipeline.RegionalDiffusionTest.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.RegionLayout;
import dev.atelier.core.plan.SplitRatio;
import dev.atelier.diffusion.regional.RegionalUnets;
import dev.atelier.testkit.diffusion.ToyAttentionUnet;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attention-mode regions on a toy UNet whose prompt reaches it only through export-shaped cross-attention blocks
 * (zero queries: each block returns its tokens' mean value, the prompt's colour), so that every latent pixel ends on
 * the colour β c_base + (1 − β) c_region of the region owning it, under classifier-free guidance around c_u.
 */
class RegionalAttentionTest {
    @TempDir
    static Path tmp;
    static final Spec spec = Spec.sd15();
    static StableDiffusionPipeline toy;

    @BeforeAll
    static void load() throws Exception {
        toy = StableDiffusionPipeline.load(ToyAttentionUnet.write(tmp.resolve("attention"), spec,
                ToyAttentionUnet.Options.light()), PipelineSettings.defaults());
    }

    @AfterAll
    static void close() {
        if (toy != null) toy.close();
    }

    static GenerationRequest request(RegionalMode mode, String ratio, String base, double beta, String... prompts) {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse(ratio), List.of(prompts));
        return TextToImageTest.request("a picture").withSize(64, 64)
                .withRegions(new RegionalPrompt(layout, base, beta).withMode(mode));
    }

    static float[] colour(String... words) {
        return words.length == 0 ? new float[4] : ToyPipeline.latentColour(spec, words);
    }

    static float[] latents(StableDiffusionPipeline pipeline, GenerationRequest request) {
        return pipeline.generate(request).images().getFirst().latents();
    }

    @Test
    void plainPromptsReachTheToyThroughItsAttentionBlocks() {
        float[] latents = latents(toy, TextToImageTest.request("a red cat").withNegativePrompt("green").withGuidance(2));
        for (int p = 0; p < 64; p += 9) assertLatentPixel(latents, 8, 8, p % 8, p / 8, expected(2, colour("green"), 0, colour(), colour("red")));
    }

    @Test
    void oneRegionWithoutBaseGivesTheOriginalModelsOutput() {
        GenerationRequest plain = TextToImageTest.request("orange").withSize(64, 64).withNegativePrompt("blue")
                .withGuidance(3.5).withSteps(5);
        RegionLayout whole = RegionLayout.of(SplitRatio.single(), List.of("orange"));
        float[] original = latents(toy, plain);
        GenerationResult regional = toy.generate(plain.withRegions(new RegionalPrompt(whole, null, 0).withMode(RegionalMode.ATTENTION)));
        float[] rewritten = regional.images().getFirst().latents();
        for (int i = 0; i < original.length; i++) assertThat(rewritten[i]).as("latent %d", i).isCloseTo(original[i], within(2e-5f));
        assertThat(regional.timings().unetRuns()).as("uncond and cond in one run per step").isEqualTo(5);
    }

    @Test
    void twoColumnsRenderRedLeftAndBlueRight() {
        GenerationResult result = toy.generate(request(RegionalMode.ATTENTION, "1,1", null, 0, "a red cat", "a blue dog"));
        float[] latents = result.images().getFirst().latents();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) assertLatentPixel(latents, 8, 8, x, y, colour(x < 4 ? "red" : "blue"));
        }
        assertThat(result.timings().unetRuns()).as("one entry, one run per step").isEqualTo(10);
    }

    @Test
    void rowsUnderGuidanceSplitTopAndBottom() {
        GenerationRequest r = request(RegionalMode.ATTENTION, "1;1", null, 0, "red", "blue").withNegativePrompt("green")
                .withGuidance(3);
        float[] latents = latents(toy, r);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertLatentPixel(latents, 8, 8, x, y, expected(3, colour("green"), 0, colour(), colour(y < 4 ? "red" : "blue")));
            }
        }
    }

    @Test
    void betaOneGivesTheBasePromptEverywhere() {
        float[] latents = latents(toy, request(RegionalMode.ATTENTION, "1,1", "white", 1, "red", "blue").withGuidance(2));
        for (int p = 0; p < 64; p++) assertLatentPixel(latents, 8, 8, p % 8, p / 8, expected(2, colour(), 1, colour("white"), colour()));
    }

    @Test
    void regionalStepsZeroEqualsPlainGenerationOfTheBasePrompt() {
        GenerationRequest regional = request(RegionalMode.ATTENTION, "1,1", "white", 0.3, "red", "blue")
                .withNegativePrompt("black").withGuidance(2.5).withSteps(6);
        regional = regional.withRegions(regional.regions().withRegionalSteps(0.0));
        float[] plain = latents(toy, TextToImageTest.request("white").withSize(64, 64).withNegativePrompt("black")
                .withGuidance(2.5).withSteps(6));
        float[] zero = latents(toy, regional);
        for (int i = 0; i < plain.length; i++) assertThat(zero[i]).as("latent %d", i).isCloseTo(plain[i], within(2e-5f));
        // half the steps regional: the first step's latents are the regional ones, the last steps the base prompt's
        float[][] halfFirst = new float[1][];
        float[] half = toy.generate(regional.withRegions(regional.regions().withRegionalSteps(0.5)), event -> {
            if (event.step() == 1) halfFirst[0] = event.latents();
            return true;
        }).images().getFirst().latents();
        float[][] fullFirst = new float[1][];
        float[] full = toy.generate(regional.withRegions(regional.regions().withRegionalSteps(1.0)), event -> {
            if (event.step() == 1) fullFirst[0] = event.latents();
            return true;
        }).images().getFirst().latents();
        assertThat(halfFirst[0]).containsExactly(fullFirst[0]);
        assertThat(Math.abs(full[0] - plain[0])).as("the fully regional picture differs").isGreaterThan(1e-3f);
        for (int i = 0; i < plain.length; i++) assertThat(half[i]).as("latent %d", i).isCloseTo(plain[i], within(2e-5f));
    }

    @Test
    void attentionAndLatentModesAgreeOnEveryRegionsColour() {
        GenerationRequest attention = request(RegionalMode.ATTENTION, "1,1,1;1,1,1", "white", 0.3, "red", "green", "yellow", "blue")
                .withNegativePrompt("black").withGuidance(3);
        GenerationRequest latent = attention.withRegions(attention.regions().withMode(RegionalMode.LATENT));
        GenerationResult a = toy.generate(attention);
        GenerationResult l = toy.generate(latent);
        float[] la = a.images().getFirst().latents();
        float[] ll = l.images().getFirst().latents();
        for (int i = 0; i < la.length; i++) assertThat(la[i]).as("latent %d", i).isCloseTo(ll[i], within(1e-4f));
        assertLatentPixel(la, 8, 8, 6, 1, expected(3, colour("black"), 0.3, colour("white"), colour("green")));
        assertThat(l.timings().unetRuns()).as("latent mode: six entries in one run").isEqualTo(10);
        assertThat(a.timings().unetRuns()).isEqualTo(10);
    }

    @Test
    void fp16WithExternalWeightsRendersTheColumns(@TempDir Path dir) throws Exception {
        Spec half = Spec.sd15().withFp16().withExternalData();
        try (var p = StableDiffusionPipeline.load(ToyAttentionUnet.write(dir, half, ToyAttentionUnet.Options.light()),
                PipelineSettings.defaults())) {
            float[] latents = latents(p, request(RegionalMode.ATTENTION, "1,1", null, 0, "red", "blue"));
            float[] red = ToyPipeline.latentColour(half, "red");
            float[] blue = ToyPipeline.latentColour(half, "blue");
            for (int c = 0; c < 4; c++) {
                assertThat(latents[c * 64 + 8 + 1]).isCloseTo(red[c], within(3e-3f));
                assertThat(latents[c * 64 + 8 + 6]).isCloseTo(blue[c], within(3e-3f));
            }
            try (Stream<Path> files = Files.list(dir.resolve("unet"))) {
                Path rewritten = files.filter(f -> f.getFileName().toString().startsWith("model.regional-")).findFirst().orElseThrow();
                assertThat(Files.size(rewritten)).as("the weights stay in the external file")
                        .isLessThan(Files.size(dir.resolve("unet/model.onnx")) + 16_384);
                assertThat(new String(Files.readAllBytes(rewritten), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .contains("model.onnx_data");
            }
        }
    }

    @Test
    void sdxlTakesThePooledEmbeddingFromTheBasePrompt(@TempDir Path dir) throws Exception {
        Spec xl = Spec.sdxl();
        try (var p = StableDiffusionPipeline.load(ToyAttentionUnet.write(dir, xl, ToyAttentionUnet.Options.light()),
                PipelineSettings.defaults())) {
            float[] plain = latents(p, TextToImageTest.request("purple").withSize(64, 64));
            assertLatentPixel(plain, 8, 8, 3, 3, ToyPipeline.latentColour(xl, "purple"));
            GenerationRequest r = request(RegionalMode.ATTENTION, "1;1", "white", 0, "purple", "orange")
                    .withScheduler(dev.atelier.diffusion.scheduler.SchedulerKind.DDIM);
            float[] latents = latents(p, r);
            float s = (float) xl.scalingFactor();
            float[] white = ToyPipeline.COLOURS.get("white");
            for (String word : List.of("purple", "orange")) {
                // the region's own text states; the pooled part (channel 3) is the base prompt's, not the region's
                float[] want = ToyPipeline.latentColour(xl, word);
                want[3] += 0.5f * s * (white[3] - ToyPipeline.COLOURS.get(word)[3]);
                assertLatentPixel(latents, 8, 8, 3, word.equals("purple") ? 1 : 6, want);
            }
        }
    }

    @Test
    void anOpset14ExportWithoutCastLikeIsRewrittenToo(@TempDir Path dir) throws Exception {
        try (var p = StableDiffusionPipeline.load(ToyAttentionUnet.write(dir, spec, ToyAttentionUnet.Options.light().atOpset(14)),
                PipelineSettings.defaults())) {
            float[] latents = latents(p, request(RegionalMode.ATTENTION, "1;1", null, 0, "green", "purple"));
            for (int x = 0; x < 8; x++) {
                assertLatentPixel(latents, 8, 8, x, 2, colour("green"));
                assertLatentPixel(latents, 8, 8, x, 5, colour("purple"));
            }
        }
    }

    @Test
    void aUnetWithoutThePatternFallsBackToLatentModeAndSaysSo(@TempDir Path dir) throws Exception {
        try (var p = StableDiffusionPipeline.load(ToyAttentionUnet.write(dir, spec, ToyAttentionUnet.Options.withoutPattern()),
                PipelineSettings.defaults())) {
            GenerationRequest auto = request(RegionalMode.AUTO, "1,1", null, 0, "red", "blue");
            GenerationResult result = p.generate(auto);
            assertLatentPixel(result.images().getFirst().latents(), 8, 8, 1, 1, colour("red"));
            assertLatentPixel(result.images().getFirst().latents(), 8, 8, 6, 1, colour("blue"));
            assertThat(p.regionalAttentionFallback()).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("no cross-attention softmax").contains("latent mode");
            assertThatThrownBy(() -> p.generate(auto.withRegions(auto.regions().withMode(RegionalMode.ATTENTION))))
                    .isInstanceOf(AtelierException.class).hasMessageContaining("--regional-mode latent");
            try (Stream<Path> files = Files.list(dir.resolve("unet"))) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.contains("regional"));
            }
        }
        assertThat(toy.regionalAttentionFallback()).isEmpty();
    }

    @Test
    void theRewriteIsCachedByContentAndRedoneWhenTheOriginalChanges(@TempDir Path dir) throws Exception {
        ToyAttentionUnet.write(dir, spec, ToyAttentionUnet.Options.light());
        Path unet = dir.resolve("unet/model.onnx");
        RegionalUnets.Prepared first = RegionalUnets.prepare(unet);
        assertThat(first.rewritten()).isTrue();
        assertThat(first.reused()).isFalse();
        assertThat(first.blocks()).as("both attn2 blocks, not attn1").isEqualTo(2);
        long written = Files.getLastModifiedTime(first.file()).toMillis();

        RegionalUnets.Prepared second = RegionalUnets.prepare(unet);
        assertThat(second.reused()).isTrue();
        assertThat(second.file()).isEqualTo(first.file());
        assertThat(Files.getLastModifiedTime(second.file()).toMillis()).isEqualTo(written);

        ToyAttentionUnet.write(dir, spec.withHiddenDim(12), ToyAttentionUnet.Options.light());
        RegionalUnets.Prepared changed = RegionalUnets.prepare(unet);
        assertThat(changed.reused()).isFalse();
        assertThat(changed.file()).isNotEqualTo(first.file());
        assertThat(changed.file()).isEqualTo(RegionalUnets.rewrittenFile(unet));
    }
}
