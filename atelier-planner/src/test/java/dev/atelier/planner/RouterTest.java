package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.RetrievePlan;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Routing decisions: the model chooses, the facts of the request overrule, word cues decide when the model cannot. */
class RouterTest {
    private static final PlanRequest.ImageInput PHOTO = new PlanRequest.ImageInput(new byte[] {1, 2, 3}, "image/png", "a plate of burger and fries");

    private static Router.Choice route(ScriptedChatModel model, PlanRequest request, List<String> warnings) {
        return new Router(new StructuredOutputAnswers(model, 2), PlannerSettings.DEFAULTS).route(request, warnings);
    }

    @ParameterizedTest
    @CsvSource({"generate,GENERATE", "EDIT,EDIT", "Inpaint,INPAINT", "outpaint,OUTPAINT", "similar,SIMILAR", "answer,ANSWER", "retrieve,RETRIEVE"})
    void theModelsChoiceIsTakenWhenItCanWork(String answered, PlanKind expected) {
        ScriptedChatModel model = ScriptedChatModel.answering("{\"reason\": \"because\", \"kind\": \"" + answered + "\"}");
        List<String> warnings = new ArrayList<>();

        Router.Choice choice = route(model, PlanRequest.of("do it").withImage(PHOTO), warnings);

        assertThat(choice.kind()).isEqualTo(expected);
        assertThat(warnings).isEmpty();
        assertThat(model.lastUserText()).contains("Request: do it", "it shows: a plate of burger and fries");
    }

    @Test
    void anEditWithoutAPictureBecomesAGenerateWithAWarning() {
        ScriptedChatModel model = ScriptedChatModel.answering("{\"reason\": \"change\", \"kind\": \"edit\"}");
        List<String> warnings = new ArrayList<>();

        assertThat(route(model, PlanRequest.of("make it night"), warnings).kind()).isEqualTo(PlanKind.GENERATE);
        assertThat(warnings).singleElement().asString().contains("needs a picture");
    }

    @Test
    void aGivenMaskMakesAnEditAnInpaint() {
        ScriptedChatModel model = ScriptedChatModel.answering("{\"reason\": \"change\", \"kind\": \"edit\"}");

        assertThat(route(model, PlanRequest.of("a vase of tulips").withImage(PHOTO).withMask("mask.png"), new ArrayList<>()).kind())
                .isEqualTo(PlanKind.INPAINT);
        assertThat(model.lastUserText()).contains("A mask is given");
    }

    @Test
    void anExplicitKindSkipsTheModel() {
        ScriptedChatModel model = ScriptedChatModel.answering();

        assertThat(route(model, PlanRequest.of("a lighthouse").withKind(PlanKind.RETRIEVE), new ArrayList<>()).kind()).isEqualTo(PlanKind.RETRIEVE);
        assertThat(model.requests).isEmpty();
    }

    @Test
    void afterInvalidAnswersTheWordingDecides() {
        ScriptedChatModel model = ScriptedChatModel.answering("{\"kind\": \"paint\"}", "I think you want an edit.");
        List<String> warnings = new ArrayList<>();

        Router.Choice choice = route(model, PlanRequest.of("what breed is this cat?").withImage(PHOTO), warnings);

        assertThat(choice.kind()).isEqualTo(PlanKind.ANSWER);
        assertThat(model.requests).hasSize(2);
        assertThat(warnings).singleElement().asString().contains("from the wording");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a red fox in snow|false|GENERATE",
            "what colours go well with teal?|false|ANSWER",
            "can you draw a cat?|false|GENERATE",
            "find me a photo of the Eiffel Tower|false|RETRIEVE",
            "make it more healthy|true|EDIT",
            "one more like this but in winter|true|SIMILAR",
            "extend it to the left|true|OUTPAINT",
            "what is on the plate?|true|ANSWER",
            "describe the picture|true|ANSWER"})
    void wordCuesWhenTheModelGivesNoChoice(String text, boolean withImage, PlanKind expected) {
        PlanRequest request = PlanRequest.of(text);
        assertThat(Router.guess(withImage ? request.withImage(PHOTO) : request)).isEqualTo(expected);
    }

    @Test
    void aRouterAnswerInLlmgaConventionGeneratesItsPrompt() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "Here you go! <gen_image>a red fox curled up in fresh snow at dawn, soft pink light</gen_image>",
                "Here you go! <gen_image>a red fox curled up in fresh snow at dawn, soft pink light</gen_image>");

        PlanResult result = Planner.over(model, PlannerSettings.DEFAULTS.withMaxAttempts(2)).plan(PlanRequest.of("a red fox in snow"));

        assertThat(result.kind()).isEqualTo(PlanKind.GENERATE);
        assertThat(((GeneratePlan) result.plan()).prompt()).isEqualTo("a red fox curled up in fresh snow at dawn, soft pink light");
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("<gen_image>"));
    }

    @Test
    void eachRouteEndsInItsKindOfPlan() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reason\": \"a question\", \"kind\": \"answer\"}", "Teal goes well with coral and sand.",
                "{\"reason\": \"find\", \"kind\": \"retrieve\"}", "{\"query\": \"Eiffel Tower at night\"}",
                "{\"reason\": \"change\", \"kind\": \"edit\"}", "Replace the fries with a fresh green salad.");
        Planner planner = Planner.over(model, PlannerSettings.DEFAULTS);

        assertThat(planner.plan(PlanRequest.of("which colours go with teal?")).plan())
                .isEqualTo(new AnswerPlan("Teal goes well with coral and sand."));
        assertThat(planner.plan(PlanRequest.of("find a photo of the Eiffel Tower by night")).plan())
                .isEqualTo(new RetrievePlan("Eiffel Tower at night"));
        assertThat(planner.plan(PlanRequest.of("make it more healthy").withImage(PHOTO)).plan())
                .isInstanceOfSatisfying(EditPlan.class, p -> {
                    assertThat(p.instruction()).isEqualTo("Replace the fries with a fresh green salad.");
                    assertThat(p.mode()).isInstanceOf(EditPlan.InstructionEdit.class);
                });
    }
}
