package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LLMGA's refinement: a request refers to an earlier picture of the conversation, and the plan names which one. */
class ConversationPicturesTest {
    private static final List<PlanRequest.ImageInput> PICTURES = List.of(
            new PlanRequest.ImageInput(new byte[] {1}, "image/png", "a red barn in a field"),
            new PlanRequest.ImageInput(new byte[] {2}, "image/png", "a lighthouse on a cliff at noon"),
            new PlanRequest.ImageInput(new byte[] {3}, "image/png", "a green car"));

    private static PlanRequest inConversation(String text) {
        return PlanRequest.of(text).withPictures(PICTURES);
    }

    @Test
    void theRouterSeesTheNumberedPicturesAndTheEditWorksOnThePictureItNames() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"change the lighthouse\", \"kind\": \"EDIT\", \"picture\": 2}",
                "Turn the daylight sky into a dark night sky with stars.");

        PlanResult result = Planner.over(model, PlannerSettings.DEFAULTS).plan(inConversation("the lighthouse one, but at night"));

        assertThat(model.lastUserText()).isNotEmpty();
        assertThat(model.allText(0)).contains("Pictures of the conversation so far:", "1. a red barn in a field",
                "2. a lighthouse on a cliff at noon", "3. a green car", "Request: the lighthouse one, but at night");
        assertThat(result.plan()).isEqualTo(EditPlan.of("Turn the daylight sky into a dark night sky with stars.",
                new EditPlan.InstructionEdit()).withPicture(2));
        assertThat(model.allText(1)).as("MGIE is told what picture 2 shows").contains("a lighthouse on a cliff at noon")
                .doesNotContain("red barn");
    }

    @Test
    void withoutANumberFromTheModelTheWordsNameThePicture() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"change\", \"kind\": \"EDIT\"}",
                "Paint the barn blue.");

        EditPlan plan = (EditPlan) Planner.over(model, PlannerSettings.DEFAULTS).plan(inConversation("make the first one blue")).plan();

        assertThat(plan.picture()).isEqualTo(1);
        assertThat(model.allText(1)).contains("a red barn in a field");
    }

    @Test
    void anEditNamingNoPictureChangesTheLatestAndANumberOutOfRangeIsNotTrusted() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"change\", \"kind\": \"EDIT\", \"picture\": 9}",
                "Make the car shiny.");

        PlanResult result = Planner.over(model, PlannerSettings.DEFAULTS).plan(inConversation("make it shiny"));

        assertThat(((EditPlan) result.plan()).picture()).isEqualTo(3);
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("picture 9", "has 3"));
    }

    @Test
    void aRegeneratedPlanOfAnEarlierPictureBuildsOnItsDescription() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"a new take\", \"kind\": \"GENERATE\", \"picture\": 2}",
                "{\"reasoning\": \"r\", \"prompt\": \"a lighthouse on a cliff at night under stars\", \"rows\": []}");

        PlanResult result = Planner.over(model, PlannerSettings.DEFAULTS).plan(inConversation("the second one, but at night"));

        assertThat(result.plan()).isInstanceOfSatisfying(GeneratePlan.class, g -> {
            assertThat(g.picture()).isEqualTo(2);
            assertThat(g.prompt()).isEqualTo("a lighthouse on a cliff at night under stars");
        });
        assertThat(model.allText(1)).contains("changes an earlier picture, whose prompt was: a lighthouse on a cliff at noon");
    }

    @Test
    void aQuestionAboutAPictureNamesIt() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"question\", \"kind\": \"ANSWER\", \"picture\": 3}",
                "It is a small green hatchback.");

        PlanResult result = Planner.over(model, PlannerSettings.DEFAULTS).plan(inConversation("what kind of car is that?"));

        assertThat(result.plan()).isEqualTo(new AnswerPlan("It is a small green hatchback.", 3));
    }

    @Test
    void aNewPictureInAConversationNamesNone() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"new\", \"kind\": \"GENERATE\", \"picture\": null}",
                "{\"reasoning\": \"r\", \"prompt\": \"a yellow kite\", \"rows\": []}");

        GeneratePlan plan = (GeneratePlan) Planner.over(model, PlannerSettings.DEFAULTS).plan(inConversation("a yellow kite")).plan();

        assertThat(plan.picture()).isNull();
    }

    @Test
    void picturesNamedInWords() {
        assertThat(PictureReference.fromWords("the second one, but at night", 3)).contains(2);
        assertThat(PictureReference.fromWords("make the first picture blue", 3)).contains(1);
        assertThat(PictureReference.fromWords("picture 3 with a hat", 3)).contains(3);
        assertThat(PictureReference.fromWords("like #2 but bigger", 3)).contains(2);
        assertThat(PictureReference.fromWords("the last one in winter", 3)).contains(3);
        assertThat(PictureReference.fromWords("the 2nd image", 3)).contains(2);
        assertThat(PictureReference.fromWords("the fifth one", 3)).isEmpty();
        assertThat(PictureReference.fromWords("first, draw a cat", 3)).isEmpty();
        assertThat(PictureReference.fromWords("the second one", 0)).isEmpty();
    }

    @Test
    void aPictureNumberWrittenAsTextOrZeroIsUnderstood() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"change\", \"kind\": \"edit\", \"picture\": \"2\"}",
                "Make the lighthouse glow.",
                "{\"reason\": \"new\", \"kind\": \"GENERATE\", \"picture\": 0}",
                "{\"reasoning\": \"r\", \"prompt\": \"a yellow kite\", \"rows\": []}");
        Planner planner = Planner.over(model, PlannerSettings.DEFAULTS);

        PlanResult edit = planner.plan(inConversation("make it glow"));
        PlanResult generate = planner.plan(inConversation("a yellow kite"));

        assertThat(((EditPlan) edit.plan()).picture()).isEqualTo(2);
        assertThat(((GeneratePlan) generate.plan()).picture()).isNull();
        assertThat(generate.warnings()).isEmpty();
        assertThat(model.exhausted()).isTrue();
    }
}
