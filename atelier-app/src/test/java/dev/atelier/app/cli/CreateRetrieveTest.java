package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.assistant.PlanRenderer;
import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.vision.ToyClip;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code create --library}: a retrieve plan returns the library's best match when its CLIP similarity reaches the
 * threshold and generates otherwise (GILL), with the toy CLIP on ONNX Runtime and a real Lucene index.
 */
class CreateRetrieveTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path clip;
    static Path index;

    @BeforeAll
    static void library() throws Exception {
        model = ToyPipeline.write(tmp.resolve("toy-sd15"), ToyPipeline.Spec.sd15());
        clip = tmp.resolve("toy-clip");
        ToyClip.write(clip, ToyClip.Layout.SINGLE);
        Path pictures = tmp.resolve("pictures");
        LibraryCommandTest.write(pictures.resolve("red.png"), new Color(255, 0, 0));
        LibraryCommandTest.write(pictures.resolve("green.png"), new Color(0, 255, 0));
        index = tmp.resolve("index");
        var add = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "library", "add", pictures.toString(),
                "--clip", clip.toString(), "--index", index.toString());
        assertThat(add.exitCode()).as(add.err()).isZero();
    }

    @AfterEach
    void restoreOpener() {
        PlanCommand.Options.modelOpener = PlanCommand::openLanguageModel;
    }

    private static AtelierCommandTest.Run create(Path out, String... rest) {
        PlanCommand.Options.modelOpener = (spec, pull) -> new PlanCommandTest.Scripted(
                "{\"reason\": \"find one\", \"kind\": \"RETRIEVE\"}", "{\"query\": \"red\"}");
        String[] head = {"create", "--llm", "scripted", "--model", model.toString(), "--out", out.toString(),
                "--library", index.toString(), "--clip", clip.toString(),
                "--steps", "6", "--scheduler", "ddim", "--guidance", "1", "--seed", "5"};
        String[] all = new String[head.length + rest.length + 1];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(rest, 0, all, head.length, rest.length);
        all[all.length - 1] = "find me a picture of something red";
        return AtelierCommandTest.run(AtelierCommand.newCommandLine(), all);
    }

    @Test
    void theBestMatchAboveTheThresholdIsReturnedAndBelowItThePictureIsGenerated(@TempDir Path dir) throws Exception {
        double similarity = ToyClip.similarity(new Color(255, 0, 0), "red");
        Path found = dir.resolve("found.png");

        var retrieved = create(found, "--retrieve-threshold", String.valueOf(similarity - 0.01));

        assertThat(retrieved.exitCode()).as(retrieved.err()).isZero();
        assertThat(retrieved.out()).contains("\"type\" : \"retrieve\"", "retrieved " + tmp.resolve("pictures/red.png"), "wrote " + found);
        assertThat(Images.read(found).getRGB(4, 4) & 0xffffff).as("the library's red picture").isEqualTo(0xff0000);
        Map<String, String> text = PngFiles.readText(found);
        assertThat(text.get(PlanRenderer.RETRIEVAL_KEY)).contains("\"choice\":\"RETRIEVED\"", "red.png");

        Path made = dir.resolve("made.png");
        var generated = create(made, "--retrieve-threshold", String.valueOf(similarity + 0.01));

        assertThat(generated.exitCode()).as(generated.err()).isZero();
        assertThat(generated.out()).contains("generated: the best library match", "red.png", "(seed 5)", "CLIP score");
        int p = Images.read(made).getRGB(32, 32);
        float[] red = ToyPipeline.COLOURS.get("red");
        assertThat((p >> 16) & 0xff).as("the toy pipeline's red, not the library's").isCloseTo(Math.round((red[0] + 1) * 127.5f), Offset.offset(1));
        assertThat(PngFiles.readText(made)).containsKeys(PlanRenderer.RETRIEVAL_KEY, PlanRenderer.CLIP_SCORE_KEY, "parameters");

        var forced = create(dir.resolve("forced.png"), "--retrieve-threshold", "0.99", "--retrieve", "always");
        assertThat(forced.out()).contains("retrieved " + tmp.resolve("pictures/red.png"), "forced");
    }

    @Test
    void aLibraryFolderThatDoesNotExistIsOneLine(@TempDir Path dir) {
        PlanCommand.Options.modelOpener = (spec, pull) -> new PlanCommandTest.Scripted();
        var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "create", "--llm", "scripted", "--model", model.toString(),
                "--library", dir.resolve("nowhere").toString(), "--clip", clip.toString(), "--out", dir.resolve("x.png").toString(), "a cat");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("error: There is no picture library in").contains("atelier library add").doesNotContain("\n");
        assertThat(Files.exists(dir.resolve("x.png"))).isFalse();
    }

    @Test
    void aSimilarPlanWithoutACaptionIsDescribedByTheInProcessCaptioner(@TempDir Path dir) throws Exception {
        Path captioner = dev.atelier.testkit.vision.ToyCaptioner.write(dir.resolve("toy-captioner"),
                dev.atelier.testkit.vision.ToyCaptioner.Spec.of(dev.atelier.testkit.vision.ToyCaptioner.Layout.WITH_PAST));
        Path photo = dir.resolve("photo.png");
        javax.imageio.ImageIO.write(dev.atelier.testkit.vision.ToyCaptioner.picture(new Color(220, 20, 20), 64, 64), "png", photo.toFile());
        PlanCommandTest.Scripted planner = new PlanCommandTest.Scripted(
                "{\"caption\": \"something\", \"prompt\": \"a blue square, photo\"}");
        PlanCommand.Options.modelOpener = (spec, pull) -> planner;
        Path out = dir.resolve("like.png");

        var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "create", "--llm", "scripted", "--model", model.toString(),
                "--captioner", captioner.toString(), "--image", photo.toString(), "--kind", "similar", "--out", out.toString(),
                "--steps", "6", "--scheduler", "ddim", "--guidance", "1", "--seed", "5", "one like this but blue");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("note: the picture shows: " + dev.atelier.testkit.vision.ToyCaptioner.RED);
        assertThat(r.out()).contains("\"type\" : \"similar\"", "\"caption\" : \"" + dev.atelier.testkit.vision.ToyCaptioner.RED + "\"");
        assertThat(planner.requests).as("the planner's model was not asked to look").hasSize(1);
        assertThat(planner.requests.getFirst().messages().getLast().hasImages()).isFalse();
        int p = Images.read(out).getRGB(32, 32);
        float[] blue = ToyPipeline.COLOURS.get("blue");
        assertThat(p & 0xff).isCloseTo(Math.round((blue[2] + 1) * 127.5f), Offset.offset(1));
    }
}
