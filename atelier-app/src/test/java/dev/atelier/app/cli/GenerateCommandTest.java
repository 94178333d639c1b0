package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.diffusion.onnx.OrtSessions;
import dev.atelier.diffusion.pipeline.GenerationMetadata;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier generate} end to end on an analytic toy pipeline (64×64 images). */
class GenerateCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        model = ToyPipeline.write(tmp.resolve("toy-sd15"), Spec.sd15());
    }

    private static AtelierCommandTest.Run generate(String... args) {
        return AtelierCommandTest.run(AtelierCommand.newCommandLine(), prepend("generate", args));
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static int[] rgb(BufferedImage image, int x, int y) {
        int p = image.getRGB(x, y);
        return new int[] {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
    }

    @Test
    void writesThePngWithParametersAndRequestAndPrintsThePath(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("fox.png");
        var r = generate("--model", model.toString(), "--prompt", "a red cat", "--negative", "blue", "--steps", "8",
                "--scheduler", "ddim", "--guidance", "1.5", "--seed", "77", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out).contains("seed 77");
        assertThat(r.err()).contains("Generating"); // the progress bar
        BufferedImage image = Images.read(out);
        assertThat(image.getWidth()).isEqualTo(64); // the toy UNet's sample_size 8 × 8
        // CFG: blue + 1.5 (red − blue) in image space
        float[] red = ToyPipeline.COLOURS.get("red");
        float[] blue = ToyPipeline.COLOURS.get("blue");
        int[] px = rgb(image, 30, 30);
        for (int c = 0; c < 3; c++) {
            float v = blue[c] + 1.5f * (red[c] - blue[c]);
            assertThat(px[c]).isCloseTo(Math.round((v + 1) * 127.5f), org.assertj.core.data.Offset.offset(1));
        }
        Map<String, String> text = PngFiles.readText(out);
        assertThat(text.get("parameters")).isEqualTo("a red cat\nNegative prompt: blue\nSteps: 8, Sampler: DDIM,"
                + " CFG scale: 1.5, Seed: 77, Size: 64x64, Model: toy-sd15");
        assertThat(text.get("atelier-request")).contains("\"seed\":77").contains("\"prompt\":\"a red cat\"");
    }

    @Test
    void fromRepeatsTheGenerationAndOptionsOverrideIt(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first.png");
        assertThat(generate("--model", model.toString(), "--prompt", "green", "--steps", "3", "--scheduler", "euler-a",
                "--seed", "5", "--out", first.toString()).exitCode()).isZero();
        Path again = dir.resolve("again.png");
        var r = generate("--from", first.toString(), "--out", again.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        BufferedImage a = Images.read(first);
        BufferedImage b = Images.read(again);
        for (int y = 0; y < 64; y += 3) {
            for (int x = 0; x < 64; x += 3) assertThat(b.getRGB(x, y)).isEqualTo(a.getRGB(x, y));
        }
        assertThat(PngFiles.readText(again)).isEqualTo(PngFiles.readText(first));
        Path other = dir.resolve("other.png");
        assertThat(generate("--from", first.toString(), "--prompt", "yellow", "--out", other.toString()).exitCode()).isZero();
        assertThat(PngFiles.readText(other).get("parameters")).startsWith("yellow\nSteps: 3, Sampler: Euler a").contains("Seed: 5");
    }

    @Test
    void noiseSelectsTheGeneratorAndFromReplaysIt(@TempDir Path dir) throws Exception {
        Path atelier = dir.resolve("atelier.png");
        assertThat(generate("--model", model.toString(), "--prompt", "green", "--steps", "3", "--scheduler", "euler-a",
                "--seed", "5", "--noise", "atelier", "--out", atelier.toString()).exitCode()).isZero();
        assertThat(PngFiles.readText(atelier).get(GenerationMetadata.REQUEST_KEY)).contains("\"noise\":\"atelier\"");
        Path replay = dir.resolve("replay.png");
        assertThat(generate("--from", atelier.toString(), "--out", replay.toString()).exitCode()).isZero();
        assertThat(PngFiles.readText(replay)).isEqualTo(PngFiles.readText(atelier));
        Path torch = dir.resolve("torch.png");
        assertThat(generate("--from", atelier.toString(), "--noise", "torch-cpu", "--out", torch.toString()).exitCode())
                .isZero();
        assertThat(PngFiles.readText(torch).get(GenerationMetadata.REQUEST_KEY)).contains("\"noise\":\"torch-cpu\"");
        var bad = generate("--model", model.toString(), "--prompt", "green", "--noise", "dice", "--out",
                dir.resolve("x.png").toString());
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("Unknown noise generator 'dice'", "torch-cpu, atelier");
    }

    @Test
    void aBatchWritesNumberedFilesWithConsecutiveSeeds(@TempDir Path dir) throws Exception {
        var r = generate("--model", model.toString(), "--prompt", "white", "--steps", "2", "--batch", "2", "--seed", "40",
                "--out", dir.resolve("b.png").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("b-1.png (seed 40)").contains("b-2.png (seed 41)");
        assertThat(PngFiles.readText(dir.resolve("b-2.png")).get("parameters")).contains("Seed: 41");
    }

    @Test
    void initImageAtStrengthZeroComesBack(@TempDir Path dir) throws Exception {
        BufferedImage init = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 32; x++) init.setRGB(x, y, x < 16 ? 0x804020 : 0x2040a0);
        Path initFile = dir.resolve("init.png");
        PngFiles.write(init, Map.of(), initFile);
        Path out = dir.resolve("out.png");
        var r = generate("--model", model.toString(), "--prompt", "red", "--init", initFile.toString(), "--strength", "0",
                "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        BufferedImage image = Images.read(out);
        assertThat(image.getWidth()).isEqualTo(32); // the init image's size
        assertThat(image.getRGB(3, 3) & 0xffffff).isEqualTo(0x804020);
        assertThat(image.getRGB(20, 10) & 0xffffff).isEqualTo(0x2040a0);
        assertThat(PngFiles.readText(out).get("parameters")).contains("Denoising strength: 0");
    }

    @Test
    void badInputGivesOneClearLine(@TempDir Path dir) {
        var missing = generate("--model", dir.resolve("nope").toString(), "--prompt", "x", "--out", dir.resolve("o.png").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("nope").doesNotContain("Exception");
        var noPrompt = generate("--model", model.toString(), "--out", dir.resolve("o.png").toString());
        assertThat(noPrompt.err()).contains("--prompt");
        var jpg = generate("--model", model.toString(), "--prompt", "x", "--out", dir.resolve("o.jpg").toString());
        assertThat(jpg.err()).contains(".png");
        var scheduler = generate("--model", model.toString(), "--prompt", "x", "--scheduler", "plms", "--out",
                dir.resolve("o.png").toString());
        assertThat(scheduler.err()).contains("plms").contains("euler-a");
        var strengthAlone = generate("--model", model.toString(), "--prompt", "x", "--strength", "0.5", "--out",
                dir.resolve("o.png").toString());
        assertThat(strengthAlone.err()).contains("--init");
        try (TemporaryHome home = new TemporaryHome(dir.resolve("home"))) {
            var noOut = generate("--model", model.toString(), "--prompt", "x", "--steps", "1", "--seed", "4");
            assertThat(noOut.exitCode()).as(noOut.err()).isZero();
            assertThat(home.workingFolder.resolve("x-4.png")).isRegularFile();
        }
    }

    @Test
    void cudaWithoutTheGpuBuildIsExplained(@TempDir Path dir) {
        Assumptions.assumeFalse(OrtSessions.cudaAvailable());
        var r = generate("--model", model.toString(), "--prompt", "x", "--device", "cuda", "--out", dir.resolve("o.png").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("onnxruntime_gpu");
    }

    @Test
    void turboModelsDefaultToOneStepWithoutGuidance(@TempDir Path dir) throws Exception {
        Path turbo = ToyPipeline.write(dir.resolve("toy-sd-turbo"), Spec.sd2());
        Path out = dir.resolve("t.png");
        var r = generate("--model", turbo.toString(), "--prompt", "purple", "--seed", "1", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(PngFiles.readText(out).get("parameters")).contains("Steps: 1,").contains("CFG scale: 0,");
        float[] purple = ToyPipeline.COLOURS.get("purple");
        int[] px = rgb(Images.read(out), 10, 50);
        for (int c = 0; c < 3; c++) {
            assertThat(px[c]).isCloseTo(Math.round((purple[c] + 1) * 127.5f), org.assertj.core.data.Offset.offset(1));
        }
    }

    @Test
    void fromAPngOfAnotherToolTakesItsSettingsAndNeedsAModel(@TempDir Path dir) throws Exception {
        Path a1111 = dir.resolve("a1111.png");
        PngFiles.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), Map.of("parameters",
                "a green house\nNegative prompt: red\nSteps: 6, Sampler: Euler, CFG scale: 2, Seed: 99, Size: 32x16"), a1111);
        try (TemporaryHome home = new TemporaryHome(dir.resolve("home"))) {
            // No model in the PNG and none given: the configured default, not downloaded in this empty home.
            var noModel = generate("--from", a1111.toString(), "--out", dir.resolve("x.png").toString());
            assertThat(noModel.exitCode()).isEqualTo(1);
            assertThat(noModel.err()).contains("sd-turbo", "--yes");
        }
        Path out = dir.resolve("y.png");
        var r = generate("--from", a1111.toString(), "--model", model.toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(PngFiles.readText(out).get("parameters")).isEqualTo("a green house\nNegative prompt: red\n"
                + "Steps: 6, Sampler: Euler, CFG scale: 2, Seed: 99, Size: 32x16, Model: toy-sd15");
        assertThat(Images.read(out).getWidth()).isEqualTo(32);
    }

    @Test
    void regionsRenderEachRowWithItsPromptAndThePromptMixedInAsBase(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("rows.png");
        var r = generate("--model", model.toString(), "--prompt", "white", "--regions", "1;1", "--region-prompt", "red",
                "--region-prompt", "blue", "--base-ratio", "0.5", "--steps", "6", "--scheduler", "ddim", "--guidance", "1",
                "--seed", "3", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        BufferedImage image = Images.read(out);
        float[] white = ToyPipeline.COLOURS.get("white");
        String[] rows = {"red", "blue"};
        for (int row = 0; row < 2; row++) {
            float[] region = ToyPipeline.COLOURS.get(rows[row]);
            int[] px = rgb(image, 20, 12 + 40 * row);
            for (int c = 0; c < 3; c++) {
                float v = 0.5f * white[c] + 0.5f * region[c];
                assertThat(px[c]).as("row %d channel %d", row, c).isCloseTo(Math.round((v + 1) * 127.5f), within(1));
            }
        }
        assertThat(GenerationMetadata.readRequest(out).regions().layout().prompts()).containsExactly("red", "blue");

        var mismatch = generate("--model", model.toString(), "--prompt", "x", "--regions", "1,1,1", "--region-prompt", "red",
                "--out", dir.resolve("o.png").toString());
        assertThat(mismatch.exitCode()).isEqualTo(1);
        assertThat(mismatch.err()).contains("3 regions").doesNotContain("Exception");
        var alone = generate("--model", model.toString(), "--prompt", "x", "--region-prompt", "red", "--out",
                dir.resolve("o.png").toString());
        assertThat(alone.err()).contains("need --regions");
    }

    @Test
    void aPlanFileRendersItsRegionsInAttentionOrLatentMode(@TempDir Path dir) throws Exception {
        Path attentionModel = dev.atelier.testkit.diffusion.ToyAttentionUnet.write(dir.resolve("attention-toy"), Spec.sd15(),
                dev.atelier.testkit.diffusion.ToyAttentionUnet.Options.light());
        var layout = dev.atelier.core.plan.RegionLayout.of(dev.atelier.core.plan.SplitRatio.parse("1,1"),
                java.util.List.of("red", "blue"));
        Path planFile = dir.resolve("plan.json");
        java.nio.file.Files.writeString(planFile, dev.atelier.core.plan.PlanJson.write(new dev.atelier.core.plan.GeneratePlan(
                "a red and a blue thing", "", layout, "white", 0.0, 64, 64, 6, 1.0, 5L)));
        for (String mode : new String[] {"attention", "latent"}) {
            Path out = dir.resolve(mode + ".png");
            var r = generate("--model", attentionModel.toString(), "--plan", planFile.toString(), "--scheduler", "ddim",
                    "--regional-mode", mode, "--out", out.toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
            BufferedImage image = Images.read(out);
            for (int c = 0; c < 3; c++) {
                assertThat(rgb(image, 10, 30)[c]).as(mode + " left").isCloseTo(Math.round((ToyPipeline.COLOURS.get("red")[c] + 1) * 127.5f), within(1));
                assertThat(rgb(image, 53, 30)[c]).as(mode + " right").isCloseTo(Math.round((ToyPipeline.COLOURS.get("blue")[c] + 1) * 127.5f), within(1));
            }
        }
        // no regional step: the base prompt alone
        Path base = dir.resolve("base.png");
        var r = generate("--model", attentionModel.toString(), "--plan", planFile.toString(), "--scheduler", "ddim",
                "--regional-steps", "0", "--out", base.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(rgb(Images.read(base), 10, 30)[0]).isCloseTo(Math.round((ToyPipeline.COLOURS.get("white")[0] + 1) * 127.5f), within(1));

        var bad = generate("--model", attentionModel.toString(), "--plan", planFile.toString(), "--regional-mode", "fast",
                "--out", dir.resolve("x.png").toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("use attention, latent or auto").doesNotContain("Exception");
        var both = generate("--model", attentionModel.toString(), "--plan", planFile.toString(), "--prompt", "x");
        assertThat(both.err()).contains("drop --prompt");
        var noRegions = generate("--model", attentionModel.toString(), "--prompt", "x", "--regional-steps", "0.5");
        assertThat(noRegions.err()).contains("apply to regions");
    }
}
