package dev.atelier.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonSchemasTest {

    enum Kind { PERSON, ANIMAL }

    record Box(@SchemaField(minimum = 0, maximum = 1) double x, double y) {}

    record Region(@SchemaField(description = "what is there", maxLength = 40) String prompt, Kind kind, Box box) {}

    record Plan(String prompt, int steps, boolean refine, @SchemaField(minItems = 1, maxItems = 4) List<Region> regions,
                Optional<String> negative, @SchemaField(optional = true) Long seed, Set<String> tags,
                Map<String, Double> weights, float[] ratios) {}

    record Loop(String name, Loop next) {}

    record Tagged(@SchemaField(maxItems = 3) List<@SchemaField(maxLength = 5, description = "one word") String> tags,
                  @SchemaField(maxItems = 2) String[] names, @SchemaField(maxLength = 9) Optional<String> note) {}

    static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void recordsBecomeClosedObjectsWithTypedProperties() {
        JsonNode schema = JsonSchemas.forType(Plan.class);

        assertThat(schema.get("type").asText()).isEqualTo("object");
        assertThat(schema.get("additionalProperties").asBoolean()).isFalse();
        assertThat(schema.get("properties").fieldNames()).toIterable()
                .containsExactly("prompt", "steps", "refine", "regions", "negative", "seed", "tags", "weights", "ratios");
        assertThat(schema.get("required")).extracting(JsonNode::asText)
                .containsExactly("prompt", "steps", "refine", "regions", "tags", "weights", "ratios");
        JsonNode p = schema.get("properties");
        assertThat(p.at("/prompt/type").asText()).isEqualTo("string");
        assertThat(p.at("/steps/type").asText()).isEqualTo("integer");
        assertThat(p.at("/steps/maximum").asLong()).isEqualTo(Integer.MAX_VALUE);
        assertThat(p.at("/steps/minimum").asLong()).isEqualTo(Integer.MIN_VALUE);
        assertThat(p.at("/seed/maximum").isMissingNode()).as("long needs no bound: 16 digits at most in grammars").isTrue();
        assertThat(p.at("/refine/type").asText()).isEqualTo("boolean");
        assertThat(p.at("/negative/type").asText()).isEqualTo("string");
        assertThat(p.at("/seed/type").asText()).isEqualTo("integer");
        assertThat(p.at("/tags/uniqueItems").asBoolean()).isTrue();
        assertThat(p.at("/weights/additionalProperties/type").asText()).isEqualTo("number");
        assertThat(p.at("/ratios/items/type").asText()).isEqualTo("number");
        assertThat(p.at("/regions/type").asText()).isEqualTo("array");
        assertThat(p.at("/regions/minItems").asInt()).isEqualTo(1);
        assertThat(p.at("/regions/maxItems").asInt()).isEqualTo(4);
        JsonNode region = p.at("/regions/items");
        assertThat(region.at("/properties/kind/enum")).extracting(JsonNode::asText).containsExactly("PERSON", "ANIMAL");
        assertThat(region.at("/properties/prompt/description").asText()).isEqualTo("what is there");
        assertThat(region.at("/properties/prompt/maxLength").asInt()).isEqualTo(40);
        assertThat(region.at("/properties/box/properties/x/maximum").asInt()).isEqualTo(1);
        assertThat(region.at("/properties/box/properties/y/type").asText()).isEqualTo("number");
    }

    @Test
    void typeArgumentAnnotationsConstrainTheItems() {
        JsonNode p = JsonSchemas.forType(Tagged.class).get("properties");
        assertThat(p.at("/tags/maxItems").asInt()).isEqualTo(3);
        assertThat(p.at("/tags/items/maxLength").asInt()).isEqualTo(5);
        assertThat(p.at("/tags/items/description").asText()).isEqualTo("one word");
        assertThat(p.at("/tags/items/maxItems").isMissingNode()).isTrue();
        assertThat(p.at("/names/maxItems").asInt()).isEqualTo(2);
        assertThat(p.at("/names/items/maxItems").isMissingNode()).isTrue();
        assertThat(p.at("/note/maxLength").asInt()).isEqualTo(9);
    }

    @Test
    void stringFormIsParseableAndEqualsTheNodeForm() throws Exception {
        assertThat(MAPPER.readTree(JsonSchemas.forTypeAsString(Region.class))).isEqualTo(JsonSchemas.forType(Region.class));
    }

    @Test
    void strictCompatibilityNeedsEveryPropertyRequired() {
        assertThat(JsonSchemas.isStrictCompatible(JsonSchemas.forType(Region.class))).isTrue();
        assertThat(JsonSchemas.isStrictCompatible(JsonSchemas.forType(Plan.class))).isFalse();
    }

    @Test
    void recursiveAndUnsupportedTypesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> JsonSchemas.forType(Loop.class)).hasMessageContaining("Loop");
        assertThatThrownBy(() -> JsonSchemas.forType(Thread.class)).hasMessageContaining("java.lang.Thread");
    }

    @Test
    void jacksonReadsBackAValueThatTheValidatorAccepts() throws Exception {
        JsonNode schema = JsonSchemas.forType(Region.class);
        JsonNode value = MAPPER.readTree("{\"prompt\":\"a cat\",\"kind\":\"ANIMAL\",\"box\":{\"x\":0.5,\"y\":2}}");
        assertThat(JsonSchemaValidator.validate(schema, value)).isEmpty();
        assertThat(MAPPER.treeToValue(value, Region.class)).isEqualTo(new Region("a cat", Kind.ANIMAL, new Box(0.5, 2)));
    }
}
