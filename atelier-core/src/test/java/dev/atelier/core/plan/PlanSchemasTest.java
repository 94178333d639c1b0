package dev.atelier.core.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.json.JsonSchemaValidator;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode tree(String json) throws Exception { return JSON.readTree(json); }

    @Test
    void everyPlanAtelierWritesIsValidForTheSchema() throws Exception {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse("1;1,1,1"), List.of("a blue sky", "a black cat", "a white cat"));
        List<Plan> plans = List.of(
                new GeneratePlan("two cats", "blurry", layout, "two cats", 0.4, 768, 512, 25, 6.0, 42L),
                GeneratePlan.of("a red fox in snow"),
                EditPlan.of("replace the fries with a salad", new EditPlan.InstructionEdit()),
                EditPlan.of("tulips", new EditPlan.Inpaint(new EditPlan.DescribedMask("the table"))),
                EditPlan.of("tulips", new EditPlan.Inpaint(new EditPlan.MaskFile("mask.png"))),
                EditPlan.of("more beach", new EditPlan.Outpaint(256, 0, 256, 0)),
                new SimilarImagePlan("a lighthouse at dusk", "a lighthouse at dawn", ""),
                new AnswerPlan("It is a tabby cat."),
                new RetrievePlan("a lighthouse"));
        JsonNode schema = PlanSchemas.forPlan();

        for (Plan plan : plans) {
            assertThat(JsonSchemaValidator.validate(schema, tree(PlanJson.write(plan)))).as(PlanJson.write(plan)).isEmpty();
        }
        assertThat(schema.get("oneOf")).hasSize(5);
    }

    @Test
    void plansTheRecordsRejectAreInvalidForTheSchemaToo() throws Exception {
        JsonNode schema = PlanSchemas.forPlan();
        for (String bad : List.of(
                "{\"type\":\"generate\"}",
                "{\"type\":\"generate\",\"prompt\":\"x\",\"width\":5000}",
                "{\"type\":\"generate\",\"prompt\":\"x\",\"baseRatio\":1.5}",
                "{\"type\":\"paint\",\"prompt\":\"x\"}",
                "{\"type\":\"edit\",\"instruction\":\"x\",\"mode\":{\"kind\":\"inpaint\"}}",
                "{\"type\":\"edit\",\"instruction\":\"x\",\"mode\":{\"kind\":\"outpaint\",\"left\":-8,\"top\":0,\"right\":0,\"bottom\":0}}",
                "{\"type\":\"generate\",\"prompt\":\"x\",\"layout\":{\"rows\":[{\"height\":1,\"regions\":[{\"width\":1}]}]}}",
                "{\"type\":\"answer\",\"text\":\"\"}")) {
            assertThat(JsonSchemaValidator.validate(schema, tree(bad))).as(bad).isNotEmpty();
        }
    }

    @Test
    void oneKindAloneCarriesItsDiscriminatorFirst() {
        JsonNode generate = PlanSchemas.forType(GeneratePlan.class);

        assertThat(generate.get("properties").fieldNames().next()).isEqualTo("type");
        assertThat(generate.get("properties").get("type").get("const").asText()).isEqualTo("generate");
        assertThat(generate.get("required")).extracting(JsonNode::asText).containsExactly("type", "prompt");
        assertThat(generate.get("properties").get("layout").get("properties").get("rows").get("type").asText()).isEqualTo("array");
    }
}
