package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.RegionLayout;
import dev.atelier.core.plan.SplitRatio;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regional diffusion in latent mode on the analytic toy: the toy's ε is linear in the prompt's colour c, so every
 * latent pixel ends on c_u + w·(β c_base + (1 − β) c_region − c_u) for the region that owns it.
 */
class RegionalDiffusionTest {
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

    static GenerationRequest request(String ratio, String base, double beta, String... regionPrompts) {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse(ratio), List.of(regionPrompts));
        return TextToImageTest.request("a picture").withSize(64, 64).withRegions(new RegionalPrompt(layout, base, beta));
    }

    static float[] colour(String... words) {
        return words.length == 0 ? new float[4] : ToyPipeline.latentColour(spec, words);
    }

    /** c_u + w·(β c_b + (1 − β) c_r − c_u), or β c_b + (1 − β) c_r without guidance. */
    static float[] expected(double w, float[] uncond, double beta, float[] base, float[] region) {
        float[] out = new float[4];
        for (int i = 0; i < 4; i++) {
            double cond = beta * base[i] + (1 - beta) * region[i];
            out[i] = (float) (w > 1 ? uncond[i] + w * (cond - uncond[i]) : cond);
        }
        return out;
    }

    /** Checks every latent pixel against the colour of its region (regions given row by row as rectangles). */
    static void assertLatentPixel(float[] latents, int width, int height, int x, int y, float[] colour) {
        int plane = width * height;
        for (int c = 0; c < 4; c++) {
            assertThat((double) latents[c * plane + y * width + x]).as("channel %d at (%d, %d)", c, x, y)
                    .isCloseTo(colour[c], within(1e-4));
        }
    }

    static void assertPixel(BufferedImage image, int x, int y, float[] latentColour) {
        float[] rgb = ToyPipeline.imageColour(spec, latentColour);
        int p = image.getRGB(x, y);
        int[] actual = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
        for (int c = 0; c < 3; c++) {
            assertThat(actual[c]).as("pixel (%d, %d) channel %d", x, y, c).isCloseTo(Math.round((rgb[c] + 1) * 127.5f), within(1));
        }
    }

    @Test
    void twoColumnsLandEachHalfOnItsOwnColour() {
        GenerationResult result = sd15.generate(request("1,1", null, 0, "a red cat", "a blue dog"));
        GeneratedImage image = result.images().getFirst();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) assertLatentPixel(image.latents(), 8, 8, x, y, colour(x < 4 ? "red" : "blue"));
        }
        for (int y = 4; y < 64; y += 8) {
            assertPixel(image.image(), 10, y, colour("red"));
            assertPixel(image.image(), 53, y, colour("blue"));
        }
        assertThat(result.timings().unetRuns()).as("both regions in one batched run per step").isEqualTo(10);
    }

    @Test
    void theBasePromptMixesInWithBetaUnderClassifierFreeGuidance() {
        double w = 2.5;
        double beta = 0.3;
        GenerationRequest r = request("1,1", "white", beta, "red", "blue").withNegativePrompt("green").withGuidance(w);
        GenerationResult result = sd15.generate(r);
        float[] latents = result.images().getFirst().latents();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                float[] want = expected(w, colour("green"), beta, colour("white"), colour(x < 4 ? "red" : "blue"));
                assertLatentPixel(latents, 8, 8, x, y, want);
            }
        }
        assertThat(result.timings().unetRuns()).as("uncond, base and two regions batched").isEqualTo(10);
        // without guidance the mix is β c_base + (1 − β) c_region
        float[] plain = sd15.generate(r.withGuidance(1)).images().getFirst().latents();
        assertLatentPixel(plain, 8, 8, 1, 1, expected(1, null, beta, colour("white"), colour("red")));
        assertLatentPixel(plain, 8, 8, 6, 6, expected(1, null, beta, colour("white"), colour("blue")));
    }

    @Test
    void threeRowsSplitTheCanvasTopToBottomByTheirHeights() {
        // heights 1:2:1 of 8 latent rows → rows 0–1 red, 2–5 green, 6–7 blue; the middle row has two columns
        GenerationRequest r = request("1;2,1,1;1", null, 0, "red", "green", "yellow", "blue").withGuidance(3);
        float[] latents = sd15.generate(r).images().getFirst().latents();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                String word = y < 2 ? "red" : y < 6 ? (x < 4 ? "green" : "yellow") : "blue";
                assertLatentPixel(latents, 8, 8, x, y, expected(3, colour(), 0, colour(), colour(word)));
            }
        }
    }

    @Test
    void aUnetFixedAtBatchOneRunsEachPromptAloneAndGivesTheSameResult(@TempDir Path dir) throws Exception {
        GenerationRequest r = request("1,1,1", "white", 0.4, "red", "green", "blue").withNegativePrompt("black")
                .withGuidance(4).withSteps(6);
        GenerationResult batched = sd15.generate(r);
        try (var one = StableDiffusionPipeline.load(ToyPipeline.write(dir, Spec.sd15().withUnetBatchOne()),
                PipelineSettings.defaults())) {
            GenerationResult alone = one.generate(r);
            assertThat(alone.timings().unetRuns()).as("uncond, base, 3 regions × 6 steps").isEqualTo(30);
            assertThat(batched.timings().unetRuns()).isEqualTo(6);
            float[] a = alone.images().getFirst().latents();
            float[] b = batched.images().getFirst().latents();
            for (int i = 0; i < a.length; i++) assertThat(a[i]).as("latent %d", i).isCloseTo(b[i], within(1e-6f));
            assertThat(Pngs.bytes(alone.images().getFirst().image())).isEqualTo(Pngs.bytes(batched.images().getFirst().image()));
        }
    }

    @Test
    void moreRegionsThanOneRunHoldsAreSplitOverSeveralRuns() {
        // uncond + 9 columns = 10 entries: runs of 8 and 2 per step; 16 latent columns give every column a cell
        String[] words = {"red", "green", "blue", "white", "black", "yellow", "purple", "orange", "red"};
        GenerationRequest r = request("1,1,1,1,1,1,1,1,1", null, 0, words).withSize(128, 64).withGuidance(2).withSteps(4);
        GenerationResult result = sd15.generate(r);
        assertThat(result.timings().unetRuns()).isEqualTo(4 * 2);
        float[] latents = result.images().getFirst().latents();
        RegionMasks masks = RegionMasks.of(r.regions().layout(), 16, 8);
        for (int x = 0; x < 16; x++) {
            float[] want = expected(2, colour(), 0, colour(), colour(words[masks.regionAt(x, 3)]));
            assertLatentPixel(latents, 16, 8, x, 3, want);
        }
        assertThat(masks.regionAt(15, 3)).isEqualTo(8);
    }

    @Test
    void aSingleRegionWithoutBaseRendersBitForBitLikeThePlainPrompt() {
        GenerationRequest plain = TextToImageTest.request("orange").withSize(64, 64).withNegativePrompt("blue")
                .withGuidance(3.5).withGuidanceRescale(0.5).withSteps(5);
        RegionLayout whole = RegionLayout.of(SplitRatio.single(), List.of("orange"));
        GeneratedImage a = sd15.generate(plain).images().getFirst();
        GeneratedImage b = sd15.generate(plain.withRegions(new RegionalPrompt(whole, null, 0.5))).images().getFirst();
        assertThat(b.latents()).containsExactly(a.latents());
        assertThat(GenerationMetadata.toJson(plain)).as("a plain request's JSON has no regions").doesNotContain("regions");
    }

    @Test
    void aRegionalRequestSurvivesThePngRoundTripAndReplaysToTheSamePicture(@TempDir Path dir) throws Exception {
        GenerationRequest r = request("1,1,1;2,1", "white", 0.25, "red", "blue", "green").withGuidance(2).withSteps(4);
        GeneratedImage image = sd15.generate(r).images().getFirst();
        Path png = dir.resolve("regional.png");
        PngFiles.write(image.image(), GenerationMetadata.pngText(image.request(), "toy"), png);

        GenerationRequest replay = GenerationMetadata.readRequest(png);

        assertThat(replay).isEqualTo(image.request());
        assertThat(replay.regions().layout().prompts()).containsExactly("red", "blue", "green");
        assertThat(replay.regions().baseRatio()).isEqualTo(0.25);
        assertThat(sd15.generate(replay).images().getFirst().latents()).containsExactly(image.latents());
    }

    @Test
    void sdxlConditionsEachRegionOnItsOwnPrompt(@TempDir Path dir) throws Exception {
        Spec xl = Spec.sdxl();
        try (var p = StableDiffusionPipeline.load(ToyPipeline.write(dir, xl), PipelineSettings.defaults())) {
            GenerationRequest r = request("1;1", null, 0, "purple", "orange").withScheduler(SchedulerKind.DDIM);
            float[] latents = p.generate(r).images().getFirst().latents();
            assertLatentPixel(latents, 8, 8, 3, 1, ToyPipeline.latentColour(xl, "purple"));
            assertLatentPixel(latents, 8, 8, 3, 6, ToyPipeline.latentColour(xl, "orange"));
        }
    }
}
