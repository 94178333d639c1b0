package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import org.junit.jupiter.api.Test;

/** LLMGA's convention: the prompt between gen_image tags drives a render; prose alone is an answer. */
class LlmgaAnswerTest {

    @Test
    void thePromptBetweenTheTagsIsTakenAndTheProseIsTheReply() {
        var answer = LlmgaAnswer.parse("Sure, here is a cosy scene. <gen_image>a cat asleep by a fireplace,\n warm light</gen_image> Enjoy!");

        assertThat(answer).contains(new LlmgaAnswer("a cat asleep by a fireplace, warm light", "Sure, here is a cosy scene. Enjoy!"));
    }

    @Test
    void tagsAreReadWhateverTheirCaseAndAMissingClosingTagRunsToTheEnd() {
        assertThat(LlmgaAnswer.parse("<GEN_IMAGE> a fox </GEN_IMAGE>")).map(LlmgaAnswer::prompt).contains("a fox");
        assertThat(LlmgaAnswer.parse("ok <gen_image>a fox in snow")).map(LlmgaAnswer::prompt).contains("a fox in snow");
    }

    @Test
    void plainProseAndEmptyTagsAreNoRenderRequest() {
        assertThat(LlmgaAnswer.parse("It is a tabby cat.")).isEmpty();
        assertThat(LlmgaAnswer.parse("<gen_image> </gen_image>")).isEmpty();
        assertThat(LlmgaAnswer.parse(null)).isEmpty();
    }

    @Test
    void inLlmgaModeATaggedAnswerGeneratesAndProseAnswers() {
        PlannerSettings llmga = PlannerSettings.DEFAULTS.withLlmga(true);
        ScriptedChatModel model = ScriptedChatModel.answering(
                "Here it is: <gen_image>a red fox in snow at dawn, soft pink light, photo</gen_image>",
                "That is a Maine Coon.");
        Planner planner = Planner.over(model, llmga);

        PlanResult generated = planner.plan(PlanRequest.of("a red fox in snow"));
        PlanResult answered = planner.plan(PlanRequest.of("what breed is it?"));

        assertThat(generated.plan()).isInstanceOfSatisfying(GeneratePlan.class,
                p -> assertThat(p.prompt()).isEqualTo("a red fox in snow at dawn, soft pink light, photo"));
        assertThat(answered.plan()).isEqualTo(new AnswerPlan("That is a Maine Coon."));
        assertThat(model.requests.getFirst().options().maxTokens()).isEqualTo(512);
    }

    @Test
    void inLlmgaModeATaggedAnswerWithAPictureAndMaskInpaintsTheMask() {
        ScriptedChatModel model = ScriptedChatModel.answering("A table.", "<gen_image>a vase of yellow tulips on a wooden table</gen_image>");
        PlanRequest request = PlanRequest.of("put flowers there")
                .withImage(new PlanRequest.ImageInput(new byte[] {1}, "image/png", null)).withMask("mask.png");

        PlanResult result = Planner.over(model, PlannerSettings.DEFAULTS.withLlmga(true)).plan(request);

        assertThat(result.plan()).isEqualTo(EditPlan.of("a vase of yellow tulips on a wooden table",
                new EditPlan.Inpaint(new EditPlan.MaskFile("mask.png"))));
        assertThat(model.allText(1)).contains("it shows: A table.");
    }
}
