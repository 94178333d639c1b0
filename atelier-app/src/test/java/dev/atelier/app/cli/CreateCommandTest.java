package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.diffusion.pipeline.EditMetadata;
import dev.atelier.diffusion.pipeline.GenerationMetadata;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.testkit.diffusion.ToyEditPipelines;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code atelier create}: a scripted planner and the analytic toy pipelines: text-to-image paints the prompt's colour,
 * InstructPix2Pix adds it to the picture, inpainting paints it into the mask.
 */
class CreateCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        model = ToyPipeline.write(tmp.resolve("toy-sd15"), Spec.sd15());
    }

    @AfterEach
    void restoreOpener() {
        PlanCommand.Options.modelOpener = PlanCommand::openLanguageModel;
    }

    private static void script(String... answers) {
        PlanCommand.Options.modelOpener = (spec, pull) -> new PlanCommandTest.Scripted(answers);
    }

    private static AtelierCommandTest.Run create(Path out, String... rest) {
        String[] head = {"create", "--llm", "scripted", "--model", model.toString(), "--out", out.toString(),
                "--steps", "6", "--scheduler", "ddim", "--guidance", "1", "--seed", "5"};
        String[] all = new String[head.length + rest.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(rest, 0, all, head.length, rest.length);
        return AtelierCommandTest.run(AtelierCommand.newCommandLine(), all);
    }

    private static void assertColour(BufferedImage image, String colour) {
        float[] c = ToyPipeline.COLOURS.get(colour);
        int p = image.getRGB(image.getWidth() / 2, image.getHeight() / 2);
        int[] rgb = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
        for (int i = 0; i < 3; i++) assertThat(rgb[i]).isCloseTo(Math.round((c[i] + 1) * 127.5f), Offset.offset(1));
    }

    /** The toy's picture at (x, y) is β·base + (1 − β)·region colour (guidance 1). */
    private static void assertMix(BufferedImage image, int x, int y, double beta, String base, String region) {
        float[] b = ToyPipeline.COLOURS.get(base);
        float[] r = ToyPipeline.COLOURS.get(region);
        int p = image.getRGB(x, y);
        int[] rgb = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
        for (int i = 0; i < 3; i++) {
            double mixed = beta * b[i] + (1 - beta) * r[i];
            assertThat(rgb[i]).as("pixel (%d, %d) channel %d", x, y, i).isCloseTo((int) Math.round((mixed + 1) * 127.5), Offset.offset(1));
        }
    }

    @Test
    void aRegionPlanRendersEachRegionWithItsPromptMixedWithTheBaseAndReplaysFromThePng(@TempDir Path dir) throws Exception {
        script("{\"reason\": \"new\", \"kind\": \"GENERATE\"}",
                "{\"reasoning\": \"r\", \"prompt\": \"a red cat and a blue dog\", \"rows\": [{\"height\": 1, \"regions\": ["
                        + "{\"width\": 1, \"prompt\": \"a blue dog\"}, {\"width\": 1, \"prompt\": \"a green cat\"}]}],"
                        + " \"basePrompt\": \"a red cat\", \"baseRatio\": 0.4}");
        Path out = dir.resolve("pets.png");

        var r = create(out, "a red cat and a blue dog");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("note:");
        assertThat(r.out()).contains("\"type\" : \"generate\"", "wrote " + out, "(seed 5)");
        BufferedImage image = Images.read(out);
        assertThat(image.getWidth()).as("the model's own size").isEqualTo(64);
        assertMix(image, 12, 32, 0.4, "red", "blue");
        assertMix(image, 52, 32, 0.4, "red", "green");
        Map<String, String> text = PngFiles.readText(out);
        GeneratePlan stored = (GeneratePlan) PlanJson.read(text.get(CreateCommand.PLAN_KEY));
        assertThat(stored.layout().prompts()).containsExactly("a blue dog", "a green cat");
        assertThat(stored.seed()).isEqualTo(5L);
        assertThat(text.get("parameters")).startsWith("a red cat and a blue dog\n");
        GenerationRequest replay = GenerationMetadata.readRequest(out);
        assertThat(replay.regions().layout().prompts()).as("--from replays the regions").containsExactly("a blue dog", "a green cat");
        assertThat(replay.regions().basePrompt()).isEqualTo("a red cat");
        assertThat(replay.regions().baseRatio()).isEqualTo(0.4);

        Path again = dir.resolve("again.png");
        var replayed = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "generate", "--model", model.toString(),
                "--from", out.toString(), "--out", again.toString());
        assertThat(replayed.exitCode()).as(replayed.err()).isZero();
        BufferedImage second = Images.read(again);
        assertThat(second.getRGB(0, 0, 64, 64, null, 0, 64)).as("the replay is the same picture")
                .isEqualTo(image.getRGB(0, 0, 64, 64, null, 0, 64));
    }

    @Test
    void aLayoutTooFineForTheLatentRendersTheBasePromptAndSaysWhy(@TempDir Path dir) throws Exception {
        script("{\"reason\": \"new\", \"kind\": \"GENERATE\"}",
                "{\"reasoning\": \"r\", \"prompt\": \"a red cat and a blue dog\", \"rows\": [{\"height\": 1, \"regions\": ["
                        + "{\"width\": 1, \"prompt\": \"a blue dog\"}, {\"width\": 100, \"prompt\": \"a green cat\"}]}],"
                        + " \"basePrompt\": \"a red cat\", \"baseRatio\": 0.4}");
        Path out = dir.resolve("thin.png");

        var r = create(out, "a red cat and a blue dog");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("note: the plan's layout cannot be rendered", "too thin", "its base prompt is rendered instead");
        assertColour(Images.read(out), "red");
        assertThat(GenerationMetadata.readRequest(out).regions()).isNull();
    }

    @Test
    void aPlainPlanRendersItsDetailedPrompt(@TempDir Path dir) throws Exception {
        script("{\"reason\": \"new\", \"kind\": \"GENERATE\"}", "{\"reasoning\": \"r\", \"prompt\": \"a blue cat, photo\", \"rows\": []}");
        Path out = dir.resolve("cat.png");

        var r = create(out, "a blue cat");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertColour(Images.read(out), "blue");
        assertThat(r.err()).doesNotContain("regions");
    }

    @Test
    void anAnswerRendersNothing(@TempDir Path dir) throws Exception {
        script("{\"reason\": \"question\", \"kind\": \"ANSWER\"}", "Teal goes with coral.");
        Path answerOut = dir.resolve("answer.png");
        var answered = create(answerOut, "what goes with teal?");

        assertThat(answered.exitCode()).isZero();
        assertThat(answered.out()).contains("Teal goes with coral.");
        assertThat(answered.err()).contains("nothing to render");
        assertThat(Files.exists(answerOut)).isFalse();
    }

    private static AtelierCommandTest.Run createWith(Path with, Path out, String... rest) {
        String[] head = {"create", "--llm", "scripted", "--model", with.toString(), "--out", out.toString(),
                "--steps", "6", "--scheduler", "ddim", "--seed", "5"};
        String[] all = new String[head.length + rest.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(rest, 0, all, head.length, rest.length);
        return AtelierCommandTest.run(AtelierCommand.newCommandLine(), all);
    }

    private static int channel(int rgb, int c) {
        return (rgb >> (16 - 8 * c)) & 0xff;
    }

    @Test
    void aTerseEditBecomesAnExpressiveInstructionThatInstructPix2PixRendersWithThePlansGuidance(@TempDir Path dir)
            throws Exception {
        Path ip2p = ToyEditPipelines.write(dir.resolve("ip2p"), ToyEditPipelines.Kind.INSTRUCT_PIX2PIX);
        Path photo = dir.resolve("photo.png");
        BufferedImage original = EditCommandTest.blocks(64, 48);
        ImageIO.write(original, "png", photo.toFile());
        // MGIE: the model looks at the picture, routes the request to an edit, and expands the terse command
        script("a photo of coloured blocks", "{\"reason\": \"change\", \"kind\": \"EDIT\"}",
                "Paint a red cast over the whole photo.");
        Path out = dir.resolve("redder.png");

        var r = createWith(ip2p, out, "--image", photo.toString(), "--guidance", "2", "make it more red");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"type\" : \"edit\"", "Paint a red cast over the whole photo.", "wrote " + out, "(seed 5)");
        assertThat(r.err()).contains("Editing");
        BufferedImage edited = Images.read(out);
        assertThat(edited.getWidth()).as("the picture's own size").isEqualTo(64);
        assertThat(edited.getHeight()).isEqualTo(48);
        // toy InstructPix2Pix with three-way guidance: pixel = s_T·red + s_I·image, with s_T 2 and the plan's s_I 1.5
        float[] red = ToyPipeline.COLOURS.get("red");
        for (int[] at : new int[][] {{3, 3}, {20, 12}, {60, 44}}) {
            int o = original.getRGB(at[0], at[1]);
            int p = edited.getRGB(at[0], at[1]);
            for (int c = 0; c < 3; c++) {
                float v = 2 * red[c] + 1.5f * (channel(o, c) / 127.5f - 1f);
                int expected = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5f)));
                assertThat(channel(p, c)).as("(%d,%d) c%d", at[0], at[1], c).isCloseTo(expected, Offset.offset(1));
            }
            assertThat(channel(p, 0)).as("redder at (%d,%d)", at[0], at[1]).isGreaterThan(channel(o, 0));
            assertThat(channel(p, 1)).as("less green at (%d,%d)", at[0], at[1]).isLessThan(channel(o, 1));
        }
        Map<String, String> text = PngFiles.readText(out);
        EditPlan stored = (EditPlan) PlanJson.read(text.get(CreateCommand.PLAN_KEY));
        assertThat(stored.instruction()).isEqualTo("Paint a red cast over the whole photo.");
        assertThat(stored.mode()).isInstanceOf(EditPlan.InstructionEdit.class);
        assertThat(stored.imageGuidance()).isEqualTo(1.5);
        assertThat(text.get("parameters")).isEqualTo("Paint a red cast over the whole photo.\nSteps: 6, Sampler: DDIM,"
                + " CFG scale: 2, Image CFG scale: 1.5, Seed: 5, Size: 64x48, Model: ip2p");
        assertThat(text.get(EditMetadata.REQUEST_KEY)).contains("\"imageGuidanceScale\":1.5", "photo.png");
    }

    @Test
    void imageGuidanceGivenOnTheCommandLineGoesIntoThePlanAndTheRender(@TempDir Path dir) throws Exception {
        Path ip2p = ToyEditPipelines.write(dir.resolve("ip2p"), ToyEditPipelines.Kind.INSTRUCT_PIX2PIX);
        Path photo = dir.resolve("photo.png");
        BufferedImage original = EditCommandTest.blocks(64, 48);
        ImageIO.write(original, "png", photo.toFile());
        script("{\"reason\": \"change\", \"kind\": \"EDIT\"}", "Make it blue.");
        Path out = dir.resolve("blue.png");

        var r = createWith(ip2p, out, "--image", photo.toString(), "--caption", "coloured blocks", "--guidance", "3",
                "--image-guidance", "1", "bluer");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(((EditPlan) PlanJson.read(PngFiles.readText(out).get(CreateCommand.PLAN_KEY))).imageGuidance()).isEqualTo(1.0);
        float[] blue = ToyPipeline.COLOURS.get("blue");
        int o = original.getRGB(20, 12);
        int p = Images.read(out).getRGB(20, 12);
        for (int c = 0; c < 3; c++) {
            float v = 3 * blue[c] + (channel(o, c) / 127.5f - 1f);
            int expected = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5f)));
            assertThat(channel(p, c)).as("c%d", c).isCloseTo(expected, Offset.offset(1));
        }
    }

    @Test
    void anInpaintPlanWithTheGivenMaskRepaintsOnlyTheMaskWithTheEditModel(@TempDir Path dir) throws Exception {
        Path inpainting = ToyEditPipelines.write(dir.resolve("inpainting"), ToyEditPipelines.Kind.INPAINTING);
        Path photo = dir.resolve("park.png");
        BufferedImage original = EditCommandTest.blocks(64, 48);
        ImageIO.write(original, "png", photo.toFile());
        BufferedImage m = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 8; y < 40; y++) for (int x = 16; x < 48; x++) m.setRGB(x, y, 0xffffff);
        Path mask = dir.resolve("bench-mask.png");
        ImageIO.write(m, "png", mask.toFile());
        // the router is overruled (a mask makes an inpaint); then the expressive instruction and the inpaint draft
        script("{\"reason\": \"change\", \"kind\": \"EDIT\"}", "Replace the bench with a green one.",
                "{\"target\": \"the bench\", \"prompt\": \"a green house\"}");
        Path out = dir.resolve("bench.png");

        // a text-to-image --model for new pictures, the inpainting model for edits
        var r = createWith(model, out, "--edit-model", inpainting.toString(), "--image", photo.toString(),
                "--caption", "a park", "--mask", mask.toString(), "--guidance", "1", "make the bench green");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("Inpainting");
        BufferedImage result = Images.read(out);
        float[] green = ToyPipeline.COLOURS.get("green");
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                boolean masked = x >= 16 && x < 48 && y >= 8 && y < 40;
                boolean core = x >= 22 && x < 42 && y >= 14 && y < 34;
                if (!masked) assertThat(result.getRGB(x, y)).as("kept (%d,%d)", x, y).isEqualTo(original.getRGB(x, y));
                if (core) {
                    for (int c = 0; c < 3; c++) {
                        assertThat(channel(result.getRGB(x, y), c)).as("painted (%d,%d)", x, y)
                                .isCloseTo(Math.round((green[c] + 1) * 127.5f), Offset.offset(1));
                    }
                }
            }
        }
        Map<String, String> text = PngFiles.readText(out);
        EditPlan stored = (EditPlan) PlanJson.read(text.get(CreateCommand.PLAN_KEY));
        assertThat(stored.mode()).isEqualTo(new EditPlan.Inpaint(new EditPlan.MaskFile(mask.toAbsolutePath().toString())));
        assertThat(text.get("parameters")).isEqualTo("a green house\nSteps: 6, Sampler: DDIM, CFG scale: 1, Seed: 5,"
                + " Size: 64x48, Model: inpainting, Mask blur: 4");
        assertThat(text.get(EditMetadata.REQUEST_KEY)).contains("bench-mask.png");
    }

    @Test
    void aPlanAndAModelOfDifferentKindsSayWhichModelToGet(@TempDir Path dir) throws Exception {
        Path ip2p = ToyEditPipelines.write(dir.resolve("ip2p"), ToyEditPipelines.Kind.INSTRUCT_PIX2PIX);
        Path photo = dir.resolve("photo.png");
        ImageIO.write(EditCommandTest.blocks(64, 48), "png", photo.toFile());

        script("{\"reason\": \"change\", \"kind\": \"EDIT\"}", "Paint the frame red.");
        Path editOut = dir.resolve("edit.png");
        var edited = create(editOut, "--image", photo.toString(), "--caption", "a framed photo", "make the frame red");
        assertThat(edited.exitCode()).isEqualTo(1);
        assertThat(edited.out()).as("the plan is still printed").contains("\"instruction\" : \"Paint the frame red.\"");
        assertThat(edited.err().strip()).as("one line").isEqualTo("error: this instruction edit needs an InstructPix2Pix model, but toy-sd15 is"
                + " a text-to-image model: pass --model instruct-pix2pix (get it with: atelier models pull instruct-pix2pix)");
        assertThat(Files.exists(editOut)).isFalse();

        script("{\"reason\": \"new\", \"kind\": \"GENERATE\"}", "{\"reasoning\": \"r\", \"prompt\": \"a blue cat\", \"rows\": []}");
        var generated = createWith(ip2p, dir.resolve("cat.png"), "a blue cat");
        assertThat(generated.exitCode()).isEqualTo(1);
        assertThat(generated.err()).contains("this new picture needs a text-to-image model, but ip2p is an InstructPix2Pix model",
                "pass --model sd15", "atelier models pull sd15");

        Path mask = dir.resolve("mask.png");
        BufferedImage m = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        m.setRGB(3, 3, 0xffffff);
        ImageIO.write(m, "png", mask.toFile());
        script("{\"reason\": \"change\", \"kind\": \"INPAINT\"}", "Paint it red.", "{\"target\": \"a\", \"prompt\": \"red\"}");
        var inpainted = createWith(model, dir.resolve("in.png"), "--edit-model", ip2p.toString(), "--image", photo.toString(),
                "--caption", "blocks", "--mask", mask.toString(), "red");
        assertThat(inpainted.exitCode()).isEqualTo(1);
        assertThat(inpainted.err()).contains("needs an inpainting model, but ip2p is an InstructPix2Pix model",
                "pass --edit-model sd-inpainting", "atelier models pull sd-inpainting");
    }

    @Test
    void aMaskDescribedInWordsIsNotRenderedYetAndSaysSo(@TempDir Path dir) throws Exception {
        Path inpainting = ToyEditPipelines.write(dir.resolve("inpainting"), ToyEditPipelines.Kind.INPAINTING);
        Path photo = dir.resolve("room.png");
        ImageIO.write(EditCommandTest.blocks(64, 48), "png", photo.toFile());

        script("Make the sofa red.", "{\"target\": \"the sofa\", \"prompt\": \"a red sofa\"}");
        Path out = dir.resolve("sofa.png");
        var described = createWith(inpainting, out, "--kind", "inpaint", "--image", photo.toString(), "--caption", "a room",
                "make the sofa red");
        assertThat(described.exitCode()).isEqualTo(2);
        assertThat(described.out()).contains("\"source\" : \"described\"");
        assertThat(described.err()).contains("\"the sofa\"", "cannot find areas", "--mask FILE").doesNotContain("Exception");
        assertThat(Files.exists(out)).isFalse();

    }

    @Test
    void anOutpaintPlanExtendsThePictureKeepsItsMiddleExactlyAndStoresThePlan(@TempDir Path dir) throws Exception {
        Path inpainting = ToyEditPipelines.write(dir.resolve("inpainting"), ToyEditPipelines.Kind.INPAINTING);
        Path photo = dir.resolve("room.png");
        BufferedImage original = EditCommandTest.blocks(64, 48);
        ImageIO.write(original, "png", photo.toFile());

        script("{\"prompt\": \"a wide green room\", \"left\": 64, \"top\": 0, \"right\": 64, \"bottom\": 0}");
        Path out = dir.resolve("wide.png");
        var r = createWith(inpainting, out, "--kind", "outpaint", "--image", photo.toString(), "--caption", "a room",
                "--guidance", "1", "make it wider");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("Outpainting");
        BufferedImage wide = ImageIO.read(out.toFile());
        assertThat(wide.getWidth()).isEqualTo(192);
        assertThat(wide.getHeight()).isEqualTo(48);
        // the original sits at x = 64..127; overlap (8) plus the restoration band (16) from each seam it is exact
        for (int y = 0; y < 48; y++) {
            for (int x = 64 + 24; x < 128 - 24; x++) {
                assertThat(wide.getRGB(x, y)).as("kept (%d,%d)", x, y).isEqualTo(original.getRGB(x - 64, y));
            }
        }
        float[] green = ToyPipeline.COLOURS.get("green");
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) OutpaintCommandTest.assertColour(wide, x, y, green);
        Map<String, String> text = PngFiles.readText(out);
        assertThat(text).containsKeys("parameters", "atelier-outpaint", CreateCommand.PLAN_KEY);
        assertThat(PlanJson.read(text.get(CreateCommand.PLAN_KEY))).isInstanceOfSatisfying(EditPlan.class,
                p -> assertThat(p.mode()).isEqualTo(new EditPlan.Outpaint(64, 0, 64, 0)));
    }

    @Test
    void anOutFileThatIsNotPngIsRefusedBeforeAnythingRuns(@TempDir Path dir) {
        script();
        var r = create(dir.resolve("cat.jpg"), "a cat");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("--out must name a .png file");
    }
}
