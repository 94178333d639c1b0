package dev.atelier.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.planner.PlanRequest;
import dev.atelier.planner.Planner;
import dev.atelier.planner.PlannerSettings;
import dev.atelier.testkit.diffusion.ToyEditPipelines;
import dev.atelier.testkit.diffusion.ToyPipeline;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole conversation on toy diffusion models with a scripted language model: a picture is generated, "make
 * the first one blue" edits that very picture with InstructPix2Pix, and the saved conversation reopens and goes on.
 */
class ChatEndToEndTest {
    @TempDir
    static Path tmp;
    static Path textToImage;
    static Path instructPix2Pix;

    @BeforeAll
    static void models() throws Exception {
        textToImage = ToyPipeline.write(tmp.resolve("toy-sd15"), ToyPipeline.Spec.sd15());
        instructPix2Pix = ToyEditPipelines.write(tmp.resolve("toy-ip2p"), ToyEditPipelines.Kind.INSTRUCT_PIX2PIX);
    }

    record Session(String out, String err) {}

    private static Session chat(Conversation conversation, ScriptedChatModel model, String... lines) {
        PlanRenderer renderer = new PlanRenderer(new PlanRenderer.Models(textToImage, instructPix2Pix, null),
                new PlanRenderer.Overrides(null, 6, SchedulerKind.DDIM, null, null, null, null, null, null), null, new ColourClip(), null, null);
        Assistant assistant = new Assistant(conversation, Planner.over(model, PlannerSettings.DEFAULTS), renderer, null,
                new PlanRequest.RenderSettings(64, 64, 6, 1.0, 5L), conversation.file().getParent(), "chat-");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (renderer) {
            new TerminalChat(assistant, new BufferedReader(new StringReader(String.join("\n", lines) + "\n")),
                    new PrintWriter(out, true), new PrintWriter(err, true)).run();
        }
        return new Session(out.toString(), err.toString());
    }

    private static int channel(int rgb, int c) { return (rgb >> (16 - 8 * c)) & 0xff; }

    private static void assertColour(BufferedImage image, String colour) {
        PlanRendererTest.assertColour(image, colour);
    }

    @Test
    void generateThenEditTheFirstPictureThenReopenAndContinue(@TempDir Path dir) throws Exception {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"a new picture\", \"kind\": \"GENERATE\"}",
                "{\"reasoning\": \"one house\", \"prompt\": \"a red house, photo\", \"rows\": []}",
                "{\"reason\": \"change the earlier picture\", \"kind\": \"EDIT\"}",
                "Make the house blue.");
        Path file = dir.resolve("chat.json");

        Session first = chat(Conversation.create(file), model, "a red house", "r", "make the first one blue", "", "/quit");

        assertThat(first.err()).doesNotContain("error");
        assertThat(model.exhausted()).isTrue();
        assertThat(first.out()).contains("\"type\" : \"generate\"", "\"prompt\" : \"a red house, photo\"",
                "picture 1: wrote " + dir.resolve("chat-turn-1.png") + " (seed 5), CLIP score",
                "\"type\" : \"edit\"", "\"instruction\" : \"Make the house blue.\"", "\"picture\" : 1",
                "picture 2: wrote " + dir.resolve("chat-turn-2.png"), "Render, edit or skip?", "continue with --resume");
        assertThat(model.allText(2)).as("the router is shown the numbered pictures").contains("1. a red house, photo");
        assertThat(model.allText(3)).as("MGIE works on picture 1's description").contains("The picture shows: a red house, photo");

        BufferedImage red = Images.read(dir.resolve("chat-turn-1.png"));
        assertColour(red, "red");
        BufferedImage edited = Images.read(dir.resolve("chat-turn-2.png"));
        // toy InstructPix2Pix at the plan's text guidance 1 (guidance off): pixel = blue + the first picture
        float[] blue = ToyPipeline.COLOURS.get("blue");
        for (int[] at : new int[][] {{4, 4}, {32, 32}, {60, 50}}) {
            int o = red.getRGB(at[0], at[1]);
            int p = edited.getRGB(at[0], at[1]);
            for (int c = 0; c < 3; c++) {
                float v = blue[c] + (channel(o, c) / 127.5f - 1f);
                int expected = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5f)));
                assertThat(channel(p, c)).as("(%d,%d) c%d", at[0], at[1], c).isCloseTo(expected, Offset.offset(1));
            }
        }
        assertThat(PngFiles.readText(dir.resolve("chat-turn-2.png")).get(PlanRenderer.PLAN_KEY)).contains("\"picture\" : 1");

        // reopened from the file: the pictures, plans and outcomes are all there, and the talk goes on
        Conversation reopened = Conversation.open(file);
        assertThat(reopened.pictures()).hasSize(2);
        assertThat(reopened.turns()).hasSize(2).allSatisfy(t -> assertThat(t.status()).isEqualTo(Turn.Status.RENDERED));
        assertThat(reopened.turns().get(1).plan()).isInstanceOfSatisfying(EditPlan.class, e -> assertThat(e.picture()).isEqualTo(1));
        assertThat(reopened.picture(2).origin()).isEqualTo(ConversationPicture.Origin.EDITED);
        assertThat(reopened.picture(1).clipScore()).isGreaterThan(99);

        ScriptedChatModel later = ScriptedChatModel.answering(
                "{\"reason\": \"a new take on picture 2\", \"kind\": \"GENERATE\", \"picture\": 2}",
                "{\"reasoning\": \"same house\", \"prompt\": \"a green house, photo\", \"rows\": []}",
                "{\"reason\": \"new\", \"kind\": \"GENERATE\"}",
                "{\"reasoning\": \"r\", \"prompt\": \"a white cat\", \"rows\": []}");
        Session second = chat(reopened, later, "/pictures", "the second one, but green", "e",
                "{\"type\":\"generate\",\"prompt\":\"a yellow house, photo\",\"width\":64,\"height\":64,\"steps\":6,\"guidance\":1,\"picture\":2}",
                "r", "a white cat", "s");

        assertThat(second.out()).contains("1. generated: a red house, photo", "2. edited: Make the house blue.",
                "\"prompt\" : \"a yellow house, photo\"", "picture 3: wrote " + dir.resolve("chat-turn-3.png"), "skipped");
        assertThat(later.allText(0)).as("earlier turns reach the planner").contains("USER: a red house",
                "ASSISTANT: Generated: a red house, photo → picture 1", "USER: make the first one blue",
                "ASSISTANT: Edited picture 1 (Make the house blue.) → picture 2", "2. Make the house blue.");
        assertColour(Images.read(dir.resolve("chat-turn-3.png")), "yellow");
        Conversation last = Conversation.open(file);
        assertThat(last.turns()).hasSize(4);
        assertThat(last.turns().get(2).plan()).as("the plan as the person changed it")
                .isEqualTo(PlanJson.read("{\"type\":\"generate\",\"prompt\":\"a yellow house, photo\",\"width\":64,\"height\":64,\"steps\":6,\"guidance\":1,\"picture\":2}"));
        assertThat(last.picture(3).seed()).as("a remake keeps the remade picture's seed").isEqualTo(5L);
        assertThat(last.turns().get(3).status()).isEqualTo(Turn.Status.SKIPPED);
        assertThat(last.turns().get(3).plan()).isInstanceOf(GeneratePlan.class);
    }

    @Test
    void anAttachedPictureIsEditedAndAPictureThatCannotBeReadIsOneLine(@TempDir Path dir) throws Exception {
        BufferedImage green = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 48; x++) green.setRGB(x, y, 0x208040);
        Path photo = dir.resolve("photo.png");
        javax.imageio.ImageIO.write(green, "png", photo.toFile());
        java.nio.file.Files.writeString(dir.resolve("broken.png"), "no picture here");
        ScriptedChatModel model = ScriptedChatModel.answering(
                "a green wall",
                "{\"reason\": \"change it\", \"kind\": \"EDIT\"}",
                "Paint the wall red.");

        Session s = chat(Conversation.create(dir.resolve("c.json")), model, "/image " + dir.resolve("broken.png"),
                "/image " + photo, "make it red", "r");

        assertThat(s.err().lines().filter(l -> l.startsWith("error:")).toList()).singleElement()
                .satisfies(l -> assertThat(l).contains("broken.png"));
        assertThat(s.out()).contains("attached picture 1", "picture 2: wrote");
        BufferedImage edited = Images.read(dir.resolve("chat-turn-1.png"));
        assertThat(edited.getWidth()).as("the attached picture's size").isEqualTo(48);
        assertThat(channel(edited.getRGB(10, 10), 0)).as("redder").isGreaterThan(0x20);
        Conversation c = Conversation.open(dir.resolve("c.json"));
        assertThat(c.pictures()).hasSize(2);
        assertThat(c.turns().getFirst().attached()).containsExactly(1);
        assertThat(((EditPlan) c.turns().getFirst().plan()).picture()).isEqualTo(1);
    }
}
