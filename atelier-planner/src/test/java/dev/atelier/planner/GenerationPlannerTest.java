package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.SplitRatio;
import org.junit.jupiter.api.Test;

/** Recaption and region planning with a scripted model: repair, re-ask and fallback, never a silent fix. */
class GenerationPlannerTest {
    private static final String TWO_CATS = "two cats on a red sofa, one black, one white";

    private static PlanResult plan(ScriptedChatModel model, PlannerSettings settings, String request) {
        return Planner.over(model, settings).plan(PlanRequest.of(request).withKind(PlanKind.GENERATE));
    }

    private static final PlannerSettings JSON = PlannerSettings.DEFAULTS;
    private static final PlannerSettings RPG = PlannerSettings.DEFAULTS.withRegionFormat(PlannerSettings.RegionFormat.RPG_TEXT);

    @Test
    void aJsonAnswerWithRowsBecomesARegionLayoutWithItsBasePrompt() {
        ScriptedChatModel model = ScriptedChatModel.answering("""
                {"reasoning": "two cats side by side", "prompt": "two cats on a red velvet sofa, one black and one white, photo",
                 "negativePrompt": "blurry",
                 "rows": [{"height": 1, "regions": [{"width": 1, "prompt": "a black cat on a red sofa"},
                                                    {"width": 1, "prompt": "a white cat on a red sofa"}]}],
                 "basePrompt": "two cats on a red sofa", "baseRatio": 0.4}""");

        PlanResult result = plan(model, JSON, TWO_CATS);

        GeneratePlan plan = (GeneratePlan) result.plan();
        assertThat(plan.layout().splitRatio()).isEqualTo(SplitRatio.parse("1,1"));
        assertThat(plan.layout().prompts()).containsExactly("a black cat on a red sofa", "a white cat on a red sofa");
        assertThat(plan.basePrompt()).isEqualTo("two cats on a red sofa");
        assertThat(plan.baseRatio()).isEqualTo(0.4);
        assertThat(plan.negativePrompt()).isEqualTo("blurry");
        assertThat(result.warnings()).isEmpty();
        assertThat(model.allText(0)).contains("Request: " + TWO_CATS, "\"rows\"", "Examples:");
    }

    @Test
    void anInvalidJsonAnswerIsAskedAgainWithTheProblem() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "Sure! Here is a nice plan: two cats.",
                "```json\n{\"reasoning\": \"one subject\", \"prompt\": \"two cats on a red sofa, one black, one white, soft light\", \"rows\": []}\n```");

        PlanResult result = plan(model, JSON, TWO_CATS);

        assertThat(model.requests).hasSize(2);
        assertThat(model.lastUserText()).contains("could not be used", "no JSON value");
        assertThat(((GeneratePlan) result.plan()).prompt()).isEqualTo("two cats on a red sofa, one black, one white, soft light");
        assertThat(((GeneratePlan) result.plan()).layout()).isNull();
    }

    @Test
    void anInvalidLayoutInJsonIsSentBackWithTheReason() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reasoning\": \"r\", \"prompt\": \"a fox and a hare in a meadow\", \"rows\": [{\"height\": 1, \"regions\": [{\"width\": 2, \"prompt\": \"  \"}, {\"width\": 1, \"prompt\": \"a hare\"}]}]}",
                "{\"reasoning\": \"r\", \"prompt\": \"a fox and a hare in a meadow\", \"rows\": [{\"height\": 1, \"regions\": [{\"width\": 2, \"prompt\": \"a fox\"}, {\"width\": 1, \"prompt\": \"a hare\"}]}]}");

        GeneratePlan plan = (GeneratePlan) plan(model, JSON, "a fox and a hare in a meadow").plan();

        assertThat(model.lastUserText()).contains("layout cannot be used", "empty prompt");
        assertThat(plan.layout().splitRatio()).isEqualTo(SplitRatio.parse("2,1"));
    }

    @Test
    void theSchemaTheModelIsGivenAsksForReasoningFirstAndBoundsTheLayout() {
        ScriptedChatModel model = ScriptedChatModel.answering("{\"reasoning\": \"r\", \"prompt\": \"a red fox in snow\", \"rows\": []}");

        plan(model, JSON, "a red fox in snow");

        String schema = model.requests.getFirst().options().jsonSchema();
        assertThat(schema).contains("\"reasoning\"", "\"rows\"", "\"maxItems\"", "\"minimum\"");
        assertThat(schema.indexOf("\"reasoning\"")).isLessThan(schema.indexOf("\"prompt\""));
    }

    @Test
    void aModelThatAnswersInRpgFormatDespiteBeingAskedForJsonIsUnderstood() {
        String rpg = "Final split ratio: 1,1\nRegional Prompt: a black cat on a red sofa BREAK a white cat on a red sofa";
        ScriptedChatModel model = ScriptedChatModel.answering(rpg, rpg, rpg);

        PlanResult result = plan(model, JSON, TWO_CATS);

        GeneratePlan plan = (GeneratePlan) result.plan();
        assertThat(plan.layout().prompts()).containsExactly("a black cat on a red sofa", "a white cat on a red sofa");
        assertThat(plan.basePrompt()).isEqualTo(TWO_CATS);
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("RPG's text format"));
    }

    @Test
    void anRpgAnswerWithAMismatchedPromptCountIsSentBackWithBothCountsAndTheRepairIsUsed() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "Final split ratio: 1,1,1\nRegional Prompt: a black cat BREAK a white cat BREAK a red sofa BREAK a window",
                "Final split ratio: 1,1,1;1,1,1\nRegional Prompt: a black cat BREAK a white cat BREAK a red sofa BREAK a window");

        PlanResult result = plan(model, RPG, TWO_CATS);

        assertThat(model.lastUserText()).contains("\"1,1,1\" has 3 regions", "you wrote 4 region prompts", "4. a window");
        GeneratePlan plan = (GeneratePlan) result.plan();
        assertThat(plan.layout().splitRatio()).isEqualTo(SplitRatio.parse("1,1,1;1,1,1"));
        assertThat(plan.layout().prompts()).containsExactly("a black cat", "a white cat", "a red sofa", "a window");
    }

    @Test
    void aMismatchThatIsNeverRepairedFallsBackToOneRegionWithAWarningNeverDroppingPrompts() {
        String mismatched = "Detailed prompt: two cats on a red sofa, one black, one white, cosy\n"
                + "Final split ratio: 1,1\nRegional Prompt: a black cat BREAK a white cat BREAK a red sofa";
        ScriptedChatModel model = ScriptedChatModel.answering(mismatched, mismatched, mismatched);

        PlanResult result = plan(model, RPG, TWO_CATS);

        GeneratePlan plan = (GeneratePlan) result.plan();
        assertThat(model.requests).hasSize(RPG.maxAttempts());
        assertThat(plan.layout()).as("no layout silently follows the prompt count").isNull();
        assertThat(plan.prompt()).isEqualTo("two cats on a red sofa, one black, one white, cosy");
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("2 regions but 3 region prompts", "one prompt for the whole picture"));
    }

    @Test
    void anUnreadableRpgAnswerIsAskedAgainForTheFormat() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "I would put the black cat left and the white cat right.",
                "**Final split ratio:** 1,1\n**Regional Prompt:**\na black cat BREAK a white cat");

        GeneratePlan plan = (GeneratePlan) plan(model, RPG, TWO_CATS).plan();

        assertThat(model.lastUserText()).contains("could not read your plan", "no \"Final split ratio:\" line");
        assertThat(plan.layout().regionCount()).isEqualTo(2);
        assertThat(plan.basePrompt()).as("RPG mixes in the person's own prompt").isEqualTo(TWO_CATS);
    }

    @Test
    void aModelThatNeverAnswersUsablyStillGivesAValidOneRegionPlan() {
        ScriptedChatModel model = ScriptedChatModel.answering("no", "still no", "nothing");

        PlanResult result = plan(model, RPG, TWO_CATS);

        assertThat(((GeneratePlan) result.plan()).prompt()).isEqualTo(TWO_CATS);
        assertThat(result.warnings()).isNotEmpty();
    }

    @Test
    void aRecaptionThatLosesThePersonsWordsGetsThemBack() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "{\"reasoning\": \"r\", \"prompt\": \"two cats on a sofa, soft light, photo\", \"rows\": []}");

        PlanResult result = plan(model, JSON, TWO_CATS);

        String prompt = ((GeneratePlan) result.plan()).prompt();
        assertThat(prompt).startsWith(TWO_CATS).contains("soft light");
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("red", "black", "white"));
    }

    @Test
    void aRecaptionLongerThanClipsWindowIsCutAtAClauseWithinIt() {
        String longPrompt = "a red fox in snow, " + "glittering frost on pine branches, ".repeat(9) + "cinematic light";
        ScriptedChatModel model = ScriptedChatModel.answering("{\"reasoning\": \"r\", \"prompt\": \"" + longPrompt + "\", \"rows\": []}");

        PlanResult result = plan(model, JSON, "a red fox in snow");

        String prompt = ((GeneratePlan) result.plan()).prompt();
        assertThat(PromptFit.estimateClipTokens(prompt)).isLessThanOrEqualTo(PromptFit.CLIP_WINDOW);
        assertThat(prompt).startsWith("a red fox in snow, glittering frost").doesNotEndWith(",");
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("75-token window"));
    }

    @Test
    void thePersonsRenderSettingsGoIntoThePlan() {
        ScriptedChatModel model = ScriptedChatModel.answering("{\"reasoning\": \"r\", \"prompt\": \"a red fox in snow, dawn\", \"rows\": []}");

        GeneratePlan plan = (GeneratePlan) Planner.over(model, JSON).plan(PlanRequest.of("a red fox in snow").withKind(PlanKind.GENERATE)
                .withSettings(new PlanRequest.RenderSettings(768, 512, 20, 5.0, 1234L))).plan();

        assertThat(plan.width()).isEqualTo(768);
        assertThat(plan.height()).isEqualTo(512);
        assertThat(plan.steps()).isEqualTo(20);
        assertThat(plan.guidance()).isEqualTo(5.0);
        assertThat(plan.seed()).isEqualTo(1234L);
    }

    @Test
    void aSingleRegionLayoutIsNoLayoutAndAMissingBetaTakesTheDefault() {
        ScriptedChatModel model = ScriptedChatModel.answering("""
                {"reasoning": "r", "prompt": "a red fox in snow", "rows": [{"height": 1, "regions": [{"width": 1, "prompt": "a red fox in snow"}]}],
                 "basePrompt": "a fox"}""");

        PlanResult result = plan(model, JSON, "a red fox in snow");

        GeneratePlan plan = (GeneratePlan) result.plan();
        assertThat(plan.layout()).isNull();
        assertThat(plan.basePrompt()).isNull();
        assertThat(plan.baseRatio()).isEqualTo(GeneratePlan.DEFAULT_BASE_RATIO);
        assertThat(result.warnings()).isEmpty();
    }
}
