package dev.atelier.llm.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.json.JsonSchemas;
import dev.atelier.core.json.SchemaField;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonRepairTest {

    enum Shape { CIRCLE, SQUARE_BOX }

    record Part(String label, Shape shape, int count) {}

    record Drawing(String title, double scale, boolean framed, List<Part> parts, Optional<String> note) {}

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNode SCHEMA = JsonSchemas.forType(Drawing.class);
    static final String VALID = "{\"title\":\"t\",\"scale\":1.5,\"framed\":true,\"parts\":[{\"label\":\"a\",\"shape\":\"CIRCLE\",\"count\":2}]}";

    static JsonNode json(String s) throws Exception { return MAPPER.readTree(s); }

    @Test
    void validJsonPassesUnchanged() throws Exception {
        JsonRepair.Result r = JsonRepair.repair(VALID, SCHEMA);
        assertThat(r.valid()).isTrue();
        assertThat(r.value()).isEqualTo(json(VALID));
        assertThat(r.repairs()).isEmpty();
    }

    @Test
    void markdownFencesAndProseAreStripped() throws Exception {
        JsonRepair.Result fenced = JsonRepair.repair("Sure! Here it is:\n```json\n" + VALID + "\n```\nEnjoy.", SCHEMA);
        assertThat(fenced.valid()).isTrue();
        assertThat(fenced.value()).isEqualTo(json(VALID));
        assertThat(fenced.repairs()).contains("removed markdown code fence");

        JsonRepair.Result prose = JsonRepair.repair("The plan {as requested} is " + VALID + " and that is all.", SCHEMA);
        assertThat(prose.valid()).isTrue();
        assertThat(prose.value()).isEqualTo(json(VALID));
        assertThat(prose.repairs()).contains("extracted JSON from surrounding text");
    }

    @Test
    void truncatedAnswerIsClosedAfterTheLastCompleteValue() throws Exception {
        String cut = "{\"title\":\"t\",\"scale\":1.5,\"framed\":true,\"parts\":[{\"label\":\"a\",\"shape\":\"CIRCLE\",\"count\":2},{\"label\":\"b\",\"sha";
        JsonRepair.Result r = JsonRepair.repair(cut, SCHEMA);
        assertThat(r.truncated()).isTrue();
        assertThat(r.valid()).isTrue();
        assertThat(r.value()).isEqualTo(json(VALID));
        assertThat(r.repairs()).contains("closed JSON cut off at the end of the answer");
    }

    @Test
    void truncationThatLosesRequiredDataStaysInvalid() {
        JsonRepair.Result r = JsonRepair.repair("{\"title\":\"t\",\"scale\":1.5,\"framed\":tr", SCHEMA);
        assertThat(r.truncated()).isTrue();
        assertThat(r.valid()).isFalse();
        assertThat(r.errors()).contains("$: missing required property \"framed\"", "$: missing required property \"parts\"");
    }

    @Test
    void obviousTypeMismatchesAreCoerced() throws Exception {
        String sloppy = "{\"Title\":\"t\",\"scale\":\"1.5\",\"framed\":\"true\",\"parts\":{\"label\":7,\"shape\":\"square-box\",\"count\":\"3\"},"
                + "\"note\":null,\"extra\":1,}";
        JsonRepair.Result r = JsonRepair.repair(sloppy, SCHEMA);
        assertThat(r.errors()).isEmpty();
        assertThat(r.value()).isEqualTo(json(
                "{\"title\":\"t\",\"scale\":1.5,\"framed\":true,\"parts\":[{\"label\":\"7\",\"shape\":\"SQUARE_BOX\",\"count\":3}]}"));
        assertThat(r.repairs()).contains("$.parts: wrapped a single value in a list", "$: dropped unknown property \"extra\"",
                "$: read property \"Title\" as \"title\"");
    }

    @Test
    void unsafeMismatchesAreLeftForTheValidator() {
        String bad = "{\"title\":\"t\",\"scale\":1,\"framed\":\"maybe\",\"parts\":[{\"label\":\"a\",\"shape\":\"TRIANGLE\",\"count\":2.5}]}";
        JsonRepair.Result r = JsonRepair.repair(bad, SCHEMA);
        assertThat(r.valid()).isFalse();
        assertThat(r.errors()).containsExactlyInAnyOrder(
                "$.framed: expected boolean, got string \"maybe\"",
                "$.parts[0].shape: expected one of [\"CIRCLE\",\"SQUARE_BOX\"], got string \"TRIANGLE\"",
                "$.parts[0].count: expected integer, got number 2.5");
    }

    @Test
    void answersWithoutJsonOrCutInsideAStringSayWhy() {
        assertThat(JsonRepair.repair("I cannot help with that.", SCHEMA).errors()).containsExactly("the answer contains no JSON value");
        JsonRepair.Result r = JsonRepair.repair("{\"title\":\"a very long ti", SCHEMA);
        assertThat(r.truncated()).isTrue();
        assertThat(r.value()).isNotNull(); // closed as {} — everything required is reported missing
        assertThat(r.errors()).contains("$: missing required property \"title\"");
    }

    record Wrapper(@SchemaField(maxItems = 2) List<Integer> values) {}

    @Test
    void arraysAtTopLevelAndScalarsWork() throws Exception {
        JsonNode arraySchema = json("{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}");
        JsonRepair.Result r = JsonRepair.repair("Numbers: [1, \"2\", 3]", arraySchema);
        assertThat(r.value()).isEqualTo(json("[1,2,3]"));
        JsonRepair.Result scalar = JsonRepair.repair(" 42 ", json("{\"type\":\"integer\"}"));
        assertThat(scalar.valid()).isTrue();
        assertThat(scalar.value().asInt()).isEqualTo(42);
    }
}
