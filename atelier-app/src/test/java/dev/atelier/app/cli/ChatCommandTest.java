package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.Images;
import dev.atelier.testkit.diffusion.ToyEditPipelines;
import dev.atelier.testkit.diffusion.ToyPipeline;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier chat} on the toy pipelines with a scripted planner: generate, edit "the first one", resume. */
class ChatCommandTest {

    @AfterEach
    void restore() {
        PlanCommand.Options.modelOpener = PlanCommand::openLanguageModel;
        ChatCommand.input = ChatCommand.STANDARD_INPUT;
    }

    private static void typing(String... lines) {
        ChatCommand.input = () -> new BufferedReader(new StringReader(String.join("\n", lines) + "\n"));
    }

    private static AtelierCommandTest.Run chat(Path model, Path editModel, String... rest) {
        String[] head = {"chat", "--llm", "scripted", "--model", model.toString(), "--edit-model", editModel.toString(),
                "--steps", "6", "--scheduler", "ddim", "--guidance", "1", "--seed", "5"};
        String[] all = new String[head.length + rest.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(rest, 0, all, head.length, rest.length);
        return AtelierCommandTest.run(AtelierCommand.newCommandLine(), all);
    }

    @Test
    void aConversationGeneratesEditsTheFirstPictureAndResumes(@TempDir Path dir) throws Exception {
        Path model = ToyPipeline.write(dir.resolve("toy-sd15"), ToyPipeline.Spec.sd15());
        Path ip2p = ToyEditPipelines.write(dir.resolve("toy-ip2p"), ToyEditPipelines.Kind.INSTRUCT_PIX2PIX);
        Path file = dir.resolve("talk.json");
        PlanCommand.Options.modelOpener = (spec, pull) -> new PlanCommandTest.Scripted(
                "{\"reason\": \"new\", \"kind\": \"GENERATE\"}",
                "{\"reasoning\": \"r\", \"prompt\": \"a red house\", \"rows\": []}",
                "{\"reason\": \"change it\", \"kind\": \"EDIT\"}",
                "Make the house blue.");
        typing("a red house", "r", "make the first one blue", "r", "/quit");

        var first = chat(model, ip2p, "--save", file.toString());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("Generating", "Editing");
        assertThat(first.out()).contains("picture 1: wrote " + dir.resolve("talk-turn-1.png") + " (seed 5)",
                "\"picture\" : 1", "picture 2: wrote " + dir.resolve("talk-turn-2.png"));
        BufferedImage red = Images.read(dir.resolve("talk-turn-1.png"));
        BufferedImage blue = Images.read(dir.resolve("talk-turn-2.png"));
        int r = red.getRGB(32, 32), b = blue.getRGB(32, 32);
        assertThat(b & 0xff).as("bluer than the first picture").isGreaterThan(r & 0xff);
        assertThat((b >> 16) & 0xff).as("less red").isLessThan((r >> 16) & 0xff);
        assertThat(Files.readString(file)).contains("\"instruction\" : \"Make the house blue.\"");

        PlanCommand.Options.modelOpener = (spec, pull) -> new PlanCommandTest.Scripted(
                "{\"reason\": \"new\", \"kind\": \"GENERATE\"}",
                "{\"reasoning\": \"r\", \"prompt\": \"a green house\", \"rows\": []}");
        typing("/pictures", "a green house", "r");

        var resumed = chat(model, ip2p, "--resume", file.toString());

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("2 pictures, 2 turns so far", "1. generated: a red house",
                "picture 3: wrote " + dir.resolve("talk-turn-3.png"));
        assertThat(Files.readString(file)).contains("a green house");
    }

    @Test
    void aConversationFileThatCannotBeReadIsOneLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.json"), "[1, 2");
        var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "chat", "--llm", "scripted", "--resume",
                dir.resolve("bad.json").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("error: The conversation file").doesNotContain("\n");
    }

    @Test
    void anAttachedPictureIsDescribedByThePlannersModelAndEditedByNumber(@TempDir Path dir) throws Exception {
        Path model = ToyPipeline.write(dir.resolve("toy-sd15"), ToyPipeline.Spec.sd15());
        Path ip2p = ToyEditPipelines.write(dir.resolve("toy-ip2p"), ToyEditPipelines.Kind.INSTRUCT_PIX2PIX);
        Path photo = dir.resolve("photo.png");
        BufferedImage green = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 48; x++) green.setRGB(x, y, 0x208040);
        javax.imageio.ImageIO.write(green, "png", photo.toFile());
        PlanCommandTest.Scripted planner = new PlanCommandTest.Scripted(
                "A green wall.",
                "{\"reason\": \"change\", \"kind\": \"EDIT\", \"picture\": 1}",
                "Paint the wall red.");
        PlanCommand.Options.modelOpener = (spec, pull) -> planner;
        typing("/image " + photo, "make picture 1 red", "r");

        var r = chat(model, ip2p, "--save", dir.resolve("c.json").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("attached picture 1: A green wall.", "\"instruction\" : \"Paint the wall red.\"",
                "picture 2: wrote " + dir.resolve("c-turn-1.png"));
        assertThat(planner.requests.get(1).messages().getLast().text()).contains("1. A green wall.");
        assertThat(Images.read(dir.resolve("c-turn-1.png")).getWidth()).isEqualTo(48);
    }
}
