package dev.atelier.assistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.llm.ChatMessage;
import dev.atelier.planner.PlanRequest;
import dev.atelier.planner.Planner;
import dev.atelier.planner.PlannerSettings;
import dev.atelier.vision.caption.Captioner;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Captions and answers: a vision chat model sees the picture; a captioner describes attached pictures for planners that cannot see. */
class UnderstandingTest {

    private static Path picture(Path dir, int rgb) throws Exception {
        BufferedImage image = new BufferedImage(2048, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 2048; x++) image.setRGB(x, y, rgb);
        Path file = dir.resolve("p" + Integer.toHexString(rgb) + ".png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    void aVisionChatModelIsShownThePictureScaledDownAndItsAnswerIsTheCaption(@TempDir Path dir) throws Exception {
        ScriptedChatModel model = ScriptedChatModel.answering("  A long red strip on a plain background.  ");

        String caption = new VisionChatCaptioner(model).caption(ImageIO.read(picture(dir, 0xcc2020).toFile()));

        assertThat(caption).isEqualTo("A long red strip on a plain background.");
        ChatMessage user = model.requests.getFirst().messages().getLast();
        assertThat(user.hasImages()).isTrue();
        ChatMessage.Image sent = (ChatMessage.Image) user.parts().getFirst();
        BufferedImage seen = ImageIO.read(new java.io.ByteArrayInputStream(sent.bytes()));
        assertThat(seen.getWidth()).as("scaled to the long side limit").isEqualTo(VisionChatCaptioner.SIDE);
        assertThat(user.text()).contains("Describe this picture");
    }

    @Test
    void aVisionModelThatReturnsNoTextIsOneClearLine(@TempDir Path dir) throws Exception {
        VisionChatCaptioner captioner = new VisionChatCaptioner(ScriptedChatModel.answering("   "));
        BufferedImage image = ImageIO.read(picture(dir, 0x2020cc).toFile());

        assertThatThrownBy(() -> captioner.caption(image)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("returned no text").hasMessageNotContaining("\n");
    }

    @Test
    void anAttachedPictureIsCaptionedSoAnEditPlansFromTheCaptionWhenThePlannerCannotSee(@TempDir Path dir) throws Exception {
        Captioner captioner = image -> "a red strip on white";
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"change\", \"kind\": \"EDIT\"}",
                "Turn the red strip blue.");
        Conversation conversation = Conversation.create(dir.resolve("c.json"));
        PlanRenderer renderer = new PlanRenderer(new PlanRenderer.Models(dir, null, null), null, null, null, null, null);
        Assistant assistant = new Assistant(conversation, Planner.over(model, PlannerSettings.DEFAULTS), renderer, captioner,
                PlanRequest.RenderSettings.DEFAULTS, dir, "");

        ConversationPicture attached = assistant.attach(picture(dir, 0xcc2020));
        Assistant.PendingTurn pending = assistant.plan("make it blue");

        assertThat(attached.description()).isEqualTo("a red strip on white");
        assertThat(model.requests).as("no caption asked of the planner's model").hasSize(2);
        assertThat(model.allText(1)).contains("The picture shows: a red strip on white");
        assertThat(model.requests.get(1).messages().getLast().hasImages()).isFalse();
        assertThat(pending.plan()).isEqualTo(EditPlan.of("Turn the red strip blue.", new EditPlan.InstructionEdit()).withPicture(1));
    }

    @Test
    void aQuestionAboutAConversationPictureIsAnsweredByTheVisionModelLookingAtIt(@TempDir Path dir) throws Exception {
        ScriptedChatModel planning = ScriptedChatModel.answering(
                "{\"reason\": \"question\", \"kind\": \"ANSWER\", \"picture\": 1}",
                "It is probably red.");
        ScriptedChatModel vision = ScriptedChatModel.answering("It is a red strip, very wide and thin.");
        Conversation conversation = Conversation.create(dir.resolve("c.json"));
        PlanRenderer renderer = new PlanRenderer(new PlanRenderer.Models(dir, null, null), null, null, null, null, null);
        Assistant assistant = new Assistant(conversation, Planner.over(planning, PlannerSettings.DEFAULTS), renderer,
                image -> "a strip", PlanRequest.RenderSettings.DEFAULTS, dir, "").withVision(new VisionChatCaptioner(vision));
        assistant.attach(picture(dir, 0xcc2020));

        assertThat(assistant.plan("what colour is the first one?").plan()).isEqualTo(new AnswerPlan("It is probably red.", 1));
        Assistant.Rendered rendered = assistant.render(null);

        assertThat(rendered.outcome().answer()).isEqualTo("It is a red strip, very wide and thin.");
        assertThat(vision.requests.getFirst().messages().getLast().hasImages()).isTrue();
        assertThat(vision.requests.getFirst().messages().getLast().text()).isEqualTo("what colour is the first one?");
        assertThat(Conversation.open(dir.resolve("c.json")).turns().getFirst().outcome().answer()).isEqualTo("It is a red strip, very wide and thin.");
    }
}
