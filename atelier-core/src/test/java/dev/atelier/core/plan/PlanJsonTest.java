package dev.atelier.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanJsonTest {

    @Test
    void everyKindOfPlanSurvivesTheRoundTripThroughJson() {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse("1;1,1,1"), List.of("a blue sky", "a black cat", "a white cat"));
        List<Plan> plans = List.of(
                new GeneratePlan("two cats on a sofa", "blurry", layout, "two cats", 0.4, 768, 512, 25, 6.0, 42L),
                GeneratePlan.of("a red fox in snow"),
                EditPlan.of("replace the fries with a green salad", new EditPlan.InstructionEdit()),
                EditPlan.of("a vase of tulips", new EditPlan.Inpaint(new EditPlan.DescribedMask("the empty table"))),
                EditPlan.of("a vase of tulips", new EditPlan.Inpaint(new EditPlan.MaskFile("mask.png"))),
                EditPlan.of("more beach", new EditPlan.Outpaint(256, 0, 256, 0)),
                new SimilarImagePlan("a lighthouse at dusk", "a lighthouse at dawn", ""),
                new AnswerPlan("It is a tabby cat."),
                new RetrievePlan("a lighthouse"));

        for (Plan plan : plans) {
            assertThat(PlanJson.read(PlanJson.write(plan))).isEqualTo(plan);
        }
    }

    @Test
    void theJsonNamesTheKindOfPlanAndOfEdit() {
        String json = PlanJson.write(EditPlan.of("more beach", new EditPlan.Outpaint(256, 0, 0, 64)));

        assertThat(json).contains("\"type\" : \"edit\"", "\"kind\" : \"outpaint\"", "\"left\" : 256", "\"bottom\" : 64");
    }

    @Test
    void aHandWrittenPlanNeedsOnlyItsPromptAndTakesDefaults() {
        GeneratePlan plan = (GeneratePlan) PlanJson.read("{\"type\":\"generate\",\"prompt\":\"a lighthouse\"}");

        assertThat(plan.width()).isEqualTo(GeneratePlan.DEFAULT_SIZE);
        assertThat(plan.steps()).isEqualTo(GeneratePlan.DEFAULT_STEPS);
        assertThat(plan.guidance()).isEqualTo(GeneratePlan.DEFAULT_GUIDANCE);
        assertThat(plan.seed()).isNull();
        assertThat(plan.hasRegions()).isFalse();
        assertThat(PlanJson.write(plan)).doesNotContain("layout", "seed");
    }

    @Test
    void anEditPlanWithoutModeIsAnInstructionEdit() {
        EditPlan plan = (EditPlan) PlanJson.read("{\"type\":\"edit\",\"instruction\":\"make the frame red\"}");

        assertThat(plan.mode()).isInstanceOf(EditPlan.InstructionEdit.class);
        assertThat(plan.imageGuidance()).isEqualTo(EditPlan.DEFAULT_IMAGE_GUIDANCE);
    }

    @Test
    void invalidPlansSayWhatToFix() {
        assertThatThrownBy(() -> PlanJson.read("{\"type\":\"generate\",\"prompt\":\"x\",\"width\":500}"))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("width is 500").hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> PlanJson.read("{\"type\":\"generate\"}"))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("no prompt");
        assertThatThrownBy(() -> PlanJson.read("{\"type\":\"paint\",\"prompt\":\"x\"}"))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("\"type\"");
        assertThatThrownBy(() -> PlanJson.read("not json"))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> PlanJson.read("{\"type\":\"generate\",\"prompt\":\"x\",\"baseRatio\":1.5}"))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> PlanJson.read("{\"type\":\"edit\",\"instruction\":\"x\",\"mode\":{\"kind\":\"outpaint\"}}"))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("extends no side");
    }

    @Test
    void aLayoutIsWrittenAsRowsOfRegionsEachWithItsPrompt() {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse("1,1"), List.of("a black cat", "a white cat"));
        String json = PlanJson.write(GeneratePlan.of("two cats").withLayout(layout, null, null));

        assertThat(json).contains("\"rows\"", "\"regions\"", "\"prompt\" : \"a black cat\"")
                .doesNotContain("placedRegions", "regionCount", "splitRatio");
    }

    @Test
    void plansNameTheConversationPictureTheyChangeAndSurviveTheRoundTrip() {
        List<Plan> plans = List.of(
                EditPlan.of("make the sky a night sky", new EditPlan.InstructionEdit()).withPicture(2),
                new SimilarImagePlan("a lighthouse", "a lighthouse at night", "", 1),
                new AnswerPlan("It is a lighthouse.", 3),
                GeneratePlan.of("a lighthouse at night, stars").withPicture(2));
        for (Plan plan : plans) {
            String json = PlanJson.write(plan);
            assertThat(json).contains("\"picture\" : ");
            assertThat(PlanJson.read(json)).isEqualTo(plan);
        }
        assertThat(((EditPlan) PlanJson.read("{\"type\":\"edit\",\"instruction\":\"x\",\"picture\":2}")).picture()).isEqualTo(2);
        assertThat(PlanJson.write(GeneratePlan.of("a fox"))).doesNotContain("picture");
        assertThatThrownBy(() -> PlanJson.read("{\"type\":\"edit\",\"instruction\":\"x\",\"picture\":0}"))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("numbered from 1");
    }
}
