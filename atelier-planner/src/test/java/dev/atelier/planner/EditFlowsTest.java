package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.SimilarImagePlan;
import org.junit.jupiter.api.Test;

/** Inpaint, outpaint and similar-image plans, with the picture described by the model first. */
class EditFlowsTest {
    private static final PlanRequest.ImageInput PHOTO = new PlanRequest.ImageInput(new byte[] {1, 2}, "image/png", null);
    private static final String CAPTION = "A beach with two people in the background and a red towel in front.";

    @Test
    void anInpaintWithoutAMaskDescribesItsTargetFromTheExpressiveInstruction() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                CAPTION,
                "{\"reason\": \"remove one part\", \"kind\": \"inpaint\"}",
                "Remove the two people in the background and show empty sand and sea there.",
                "{\"target\": \"the two people in the background\", \"prompt\": \"empty golden sand and calm sea, soft afternoon light\"}");

        PlanResult result = Planner.over(model, PlannerSettings.DEFAULTS).plan(PlanRequest.of("remove the people in the background").withImage(PHOTO));

        assertThat(result.kind()).isEqualTo(PlanKind.INPAINT);
        assertThat(result.plan()).isEqualTo(EditPlan.of("empty golden sand and calm sea, soft afternoon light",
                new EditPlan.Inpaint(new EditPlan.DescribedMask("the two people in the background"))));
        assertThat(model.requests.getFirst().messages().getLast().hasImages()).as("the caption call shows the picture").isTrue();
        assertThat(model.requests.get(2).messages().getLast().hasImages()).as("a model that can see is shown the picture for MGIE").isTrue();
        assertThat(model.allText(3)).contains("Explicit instruction: Remove the two people in the background");
    }

    @Test
    void anInpaintWithAGivenMaskKeepsTheMaskFile() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                CAPTION,
                "{\"reason\": \"masked\", \"kind\": \"edit\"}",
                "Put a blue beach umbrella on the towel.",
                "{\"target\": \"the towel\", \"prompt\": \"a blue beach umbrella over a red towel\"}");

        EditPlan plan = (EditPlan) Planner.over(model, PlannerSettings.DEFAULTS)
                .plan(PlanRequest.of("add an umbrella").withImage(PHOTO).withMask("/tmp/mask.png")).plan();

        assertThat(plan.mode()).isEqualTo(new EditPlan.Inpaint(new EditPlan.MaskFile("/tmp/mask.png")));
        assertThat(plan.instruction()).isEqualTo("a blue beach umbrella over a red towel");
    }

    @Test
    void outpaintAmountsAreRoundedToMultiplesOfEight() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                CAPTION,
                "{\"reason\": \"wider\", \"kind\": \"outpaint\"}",
                "{\"reasoning\": \"r\", \"prompt\": \"a wide beach with dunes\", \"left\": 250, \"top\": 0, \"right\": 2048, \"bottom\": 3}");

        EditPlan plan = (EditPlan) Planner.over(model, PlannerSettings.DEFAULTS).plan(PlanRequest.of("make it wider").withImage(PHOTO)).plan();

        assertThat(plan.mode()).isEqualTo(new EditPlan.Outpaint(248, 0, EditPlan.Outpaint.MAX_EXTENSION, 0));
        assertThat(plan.instruction()).isEqualTo("a wide beach with dunes");
    }

    @Test
    void anOutpaintWithoutUsableAmountsTakesTheSidesFromTheWords() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                CAPTION,
                "{\"reason\": \"extend\", \"kind\": \"outpaint\"}",
                "{\"reasoning\": \"r\", \"prompt\": \"more sky above the beach\", \"left\": 0, \"top\": 0, \"right\": 0, \"bottom\": 0}");

        EditPlan plan = (EditPlan) Planner.over(model, PlannerSettings.DEFAULTS).plan(PlanRequest.of("extend the sky upwards").withImage(PHOTO)).plan();

        assertThat(plan.mode()).isEqualTo(new EditPlan.Outpaint(0, Planner.DEFAULT_OUTPAINT, 0, 0));
    }

    @Test
    void pixelsAreClampedToWhatAnOutpaintAllows() {
        assertThat(Planner.pixels(-5)).isZero();
        assertThat(Planner.pixels(9000)).isEqualTo(EditPlan.Outpaint.MAX_EXTENSION);
        assertThat(Planner.pixels(252)).isEqualTo(256);
    }

    @Test
    void sidesFromWords() {
        assertThat(Planner.sidesFromWords("make it wider")).containsExactly(256, 0, 256, 0);
        assertThat(Planner.sidesFromWords("extend to the right")).containsExactly(0, 0, 256, 0);
        assertThat(Planner.sidesFromWords("zoom out")).containsExactly(256, 256, 256, 256);
    }

    @Test
    void aSimilarPlanKeepsTheCaptionTheModelSawAndItsNewPrompt() {
        ScriptedChatModel model = ScriptedChatModel.answering(
                CAPTION,
                "{\"reason\": \"variation\", \"kind\": \"similar\"}",
                "{\"caption\": \"a beach\", \"prompt\": \"a snowy beach in winter with two people in the distance, red towel in front\"}");

        SimilarImagePlan plan = (SimilarImagePlan) Planner.over(model, PlannerSettings.DEFAULTS)
                .plan(PlanRequest.of("one like this but in winter").withImage(PHOTO)).plan();

        assertThat(plan.caption()).isEqualTo(CAPTION);
        assertThat(plan.prompt()).startsWith("a snowy beach in winter");
    }

    @Test
    void aModelThatCannotSeePicturesPlansFromTheWordsAndSaysSo() {
        ScriptedChatModel model = new ScriptedChatModel()
                .thenFail(new IllegalArgumentException("this model does not accept images"))
                .then("{\"reason\": \"change\", \"kind\": \"edit\"}")
                .then("Paint the picture frame a deep red.");

        PlanResult result = Planner.over(model, PlannerSettings.DEFAULTS).plan(PlanRequest.of("make the frame red").withImage(PHOTO));

        assertThat(result.plan()).isInstanceOfSatisfying(EditPlan.class, p -> assertThat(p.instruction()).isEqualTo("Paint the picture frame a deep red."));
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).contains("could not look at the picture", "does not accept images"));
        assertThat(model.requests.get(2).messages().getLast().hasImages()).isFalse();
    }
}
