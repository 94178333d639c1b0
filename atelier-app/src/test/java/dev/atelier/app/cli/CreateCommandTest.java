package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.diffusion.pipeline.GenerationMetadata;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier create}: a scripted planner and the analytic toy pipeline, whose picture is the prompt's colour. */
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
    void anAnswerRendersNothingAndAnEditIsNotBuiltYet(@TempDir Path dir) throws Exception {
        script("{\"reason\": \"question\", \"kind\": \"ANSWER\"}", "Teal goes with coral.");
        Path answerOut = dir.resolve("answer.png");
        var answered = create(answerOut, "what goes with teal?");

        assertThat(answered.exitCode()).isZero();
        assertThat(answered.out()).contains("Teal goes with coral.");
        assertThat(answered.err()).contains("nothing to render");
        assertThat(Files.exists(answerOut)).isFalse();

        Path photo = dir.resolve("photo.png");
        PngFiles.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), Map.of(), photo);
        script("{\"reason\": \"change\", \"kind\": \"EDIT\"}", "Paint the frame red.");
        var edited = create(dir.resolve("edit.png"), "--image", photo.toString(), "--caption", "a framed photo", "make the frame red");

        assertThat(edited.exitCode()).isEqualTo(2);
        assertThat(edited.out()).contains("\"instruction\" : \"Paint the frame red.\"");
        assertThat(edited.err()).contains("rendering edits is not built yet");
    }

    @Test
    void anOutFileThatIsNotPngIsRefusedBeforeAnythingRuns(@TempDir Path dir) {
        script();
        var r = create(dir.resolve("cat.jpg"), "a cat");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("--out must name a .png file");
    }
}
