package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.PlanJson;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whatever a model answers, the planner returns a valid plan that survives the trip through JSON. */
class PlannerRobustnessTest {
    private static final List<String> ANSWERS = List.of(
            "", "   ", "null", "{}", "[]", "{\"kind\": \"paint\"}", "{\"kind\": \"EDIT\"}", "{\"kind\": \"generate\"}",
            "{\"kind\": \"outpaint\"}", "{\"kind\": \"similar\"}", "{\"kind\": \"answer\"}", "{\"kind\": \"retrieve\"}",
            "{\"prompt\": \"\"}", "{\"prompt\": \"a fox\", \"rows\": [{\"height\": 0, \"regions\": []}]}",
            "{\"prompt\": \"a fox\", \"rows\": [{\"height\": 1e308, \"regions\": [{\"width\": 1e308, \"prompt\": \"x\"}, {\"width\": 1e308, \"prompt\": \"y\"}]}]}",
            "{\"prompt\": \"a fox\", \"rows\": [{\"height\": 1, \"regions\": [{\"width\": 1, \"prompt\": \" \"}, {\"width\": 1, \"prompt\": \"y\"}]}]}",
            "{\"prompt\": \"a fox and a hare\", \"rows\": [{\"height\": 1, \"regions\": [{\"width\": 1, \"prompt\": \"a fox\"}, {\"width\": 2, \"prompt\": \"a hare\"}]}]}",
            "{\"target\": \"\", \"prompt\": \"sand\"}", "{\"prompt\": \"sea\", \"left\": -100, \"top\": 99999}",
            "{\"caption\": \"x\", \"prompt\": \"y\"}", "{\"query\": \"\"}", "{\"query\": \"foxes\"}",
            "Final split ratio: 1,1\nRegional Prompt: a BREAK b BREAK c", "Final split ratio: 1;1\nRegional Prompt: sky BREAK sea",
            "Final split ratio: 0\nRegional Prompt: x", "<gen_image></gen_image>", "<gen_image>a fox at dawn</gen_image>",
            "ASSISTANT: alternative", "Make the frame red. Keep the rest. And more.", "{\"prompt\": \"" + "word ".repeat(400) + "\"}",
            "```json\n{\"reason\": \"r\", \"kind\": \"inpaint\"}\n```", "{\"reasoning\": \"r\", \"prompt\": \"p\", \"rows\": null}");

    @Test
    void randomAnswersAlwaysGiveAValidPlan() {
        Random random = new Random(2024);
        PlanRequest.ImageInput photo = new PlanRequest.ImageInput(new byte[] {1}, "image/png", null);
        List<String> requests = List.of("two cats on a sofa", "make it more healthy", "extend it to the left", "what is this?",
                "find a photo of a fox", "one more like this");
        for (int run = 0; run < 400; run++) {
            ScriptedChatModel model = new ScriptedChatModel();
            for (int i = 0; i < 40; i++) model.then(ANSWERS.get(random.nextInt(ANSWERS.size())));
            PlannerSettings settings = PlannerSettings.DEFAULTS
                    .withRegionFormat(random.nextBoolean() ? PlannerSettings.RegionFormat.JSON : PlannerSettings.RegionFormat.RPG_TEXT)
                    .withLlmga(random.nextInt(5) == 0);
            PlanRequest request = PlanRequest.of(requests.get(random.nextInt(requests.size())));
            if (random.nextBoolean()) request = request.withImage(photo);
            if (request.hasImage() && random.nextInt(4) == 0) request = request.withMask("mask.png");

            PlanResult result = Planner.over(model, settings).plan(request);

            Plan plan = result.plan();
            assertThat(plan).as("run %d", run).isNotNull();
            assertThat(PlanJson.read(PlanJson.write(plan))).as("run %d", run).isEqualTo(plan);
            assertThat(result.warnings()).allSatisfy(w -> assertThat(w).isNotBlank());
        }
    }
}
