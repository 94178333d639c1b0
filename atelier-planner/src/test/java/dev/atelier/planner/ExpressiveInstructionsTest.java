package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** MGIE: terse command + picture → explicit instruction, cleaned the way MGIE cleans it. */
class ExpressiveInstructionsTest {
    /** MGIE's demo instructions (REFERENCE §3). */
    static final List<String> MGIE_DEMO = List.of(
            "make the frame red", "turn the day into night", "give him a beard", "make cottage a mansion", "remove the text",
            "increase the image contrast", "remove the people in the background", "change the hair from red to blue",
            "replace basketball with soccer ball", "let the floor be made of wood");

    private static final PlanRequest.ImageInput PHOTO = new PlanRequest.ImageInput(new byte[] {1}, "image/png", "a man in a park on a sunny day");

    static List<String> demo() { return MGIE_DEMO; }

    @ParameterizedTest
    @MethodSource("demo")
    void eachDemoInstructionGivesANonEmptyExpressiveInstructionAskedTheMgieWay(String command) {
        ScriptedChatModel model = ScriptedChatModel.answering(
                "ASSISTANT: The picture will show " + command.replace("make ", "a changed ") + " while everything else stays. It keeps the park.");

        ExpressiveInstructions.Instruction result = new ExpressiveInstructions(new StructuredOutputAnswers(model, 1))
                .expand(command, PHOTO, false, 13331L);

        assertThat(result.expanded()).isTrue();
        assertThat(result.text()).isNotBlank().startsWith("The picture will show").doesNotContain("ASSISTANT");
        assertThat(model.lastUserText()).contains("what will this image be like if '" + command + "'", "a man in a park");
        assertThat(model.requests.getFirst().options().maxTokens()).isEqualTo(ExpressiveInstructions.MAX_TOKENS);
        assertThat(model.requests.getFirst().options().temperature()).isZero();
    }

    @ParameterizedTest
    @MethodSource("demo")
    void aModelThatGivesNothingUsableLeavesTheCommandAsTheInstruction(String command) {
        ScriptedChatModel model = ScriptedChatModel.answering("  \n ... ");

        ExpressiveInstructions.Instruction result = new ExpressiveInstructions(new StructuredOutputAnswers(model, 1)).expand(command, PHOTO, false, null);

        assertThat(result).isEqualTo(new ExpressiveInstructions.Instruction(command, false));
    }

    @Test
    void aVisionModelIsShownThePicture() {
        ScriptedChatModel model = ScriptedChatModel.answering("Replace the fries with a green salad.");

        new ExpressiveInstructions(new StructuredOutputAnswers(model, 1)).expand("make it more healthy", PHOTO, true, null);

        assertThat(model.requests.getFirst().messages().getLast().hasImages()).isTrue();
        assertThat(model.lastUserText()).isEqualTo("what will this image be like if 'make it more healthy'");
    }

    @Test
    void aFailingModelLeavesTheCommandAsTheInstruction() {
        ScriptedChatModel model = new ScriptedChatModel().thenFail(new IllegalStateException("server down"));

        assertThat(new ExpressiveInstructions(new StructuredOutputAnswers(model, 1)).expand("remove the text", PHOTO, false, null))
                .isEqualTo(new ExpressiveInstructions.Instruction("remove the text", false));
    }

    @Test
    void cleaningKeepsTheAssistantsFirstTwoSentences() {
        assertThat(ExpressiveInstructions.clean("USER: what will it be like? ASSISTANT: The fries become a salad. The burger stays. The plate is white."))
                .isEqualTo("The fries become a salad. The burger stays.");
    }

    @Test
    void cleaningCutsAtAlternative() {
        assertThat(ExpressiveInstructions.clean("Replace the fries with a green salad, or as an alternative, with fruit."))
                .isEqualTo("Replace the fries with a green salad");
        assertThat(ExpressiveInstructions.clean("Replace the fries with a green salad. Alternatively, add fruit."))
                .isEqualTo("Replace the fries with a green salad.");
    }

    @Test
    void cleaningRemovesQuotesAndLineBreaksAndRejectsTextWithoutLetters() {
        assertThat(ExpressiveInstructions.clean("\"Paint the frame\nbright red.\"")).isEqualTo("Paint the frame bright red.");
        assertThat(ExpressiveInstructions.clean("... 123 !!")).isEmpty();
        assertThat(ExpressiveInstructions.clean(null)).isEmpty();
    }
}
