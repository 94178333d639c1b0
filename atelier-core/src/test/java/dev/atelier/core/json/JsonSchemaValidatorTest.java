package dev.atelier.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonSchemaValidatorTest {

    enum Kind { PERSON, ANIMAL }

    record Item(@SchemaField(maxLength = 5) String name, Kind kind, @SchemaField(minimum = 1, maximum = 10) int count) {}

    record Order(@SchemaField(maxItems = 2) List<Item> items, Optional<String> note) {}

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNode SCHEMA = JsonSchemas.forType(Order.class);

    List<String> errors(String json) throws Exception {
        return JsonSchemaValidator.validate(SCHEMA, MAPPER.readTree(json));
    }

    @Test
    void acceptsAValidValueWithAndWithoutOptionalProperty() throws Exception {
        assertThat(errors("{\"items\":[{\"name\":\"ab\",\"kind\":\"PERSON\",\"count\":3}]}")).isEmpty();
        assertThat(errors("{\"items\":[],\"note\":\"x\"}")).isEmpty();
        assertThat(errors("{\"items\":[{\"name\":\"ab\",\"kind\":\"PERSON\",\"count\":3.0}]}")).isEmpty();
    }

    @Test
    void reportsEachViolationWithItsPath() throws Exception {
        List<String> errors = errors("{\"items\":[{\"name\":\"toolong\",\"kind\":\"ROBOT\",\"count\":0},"
                + "{\"name\":\"a\",\"kind\":\"PERSON\",\"count\":\"2\"},{\"name\":\"b\",\"kind\":\"PERSON\"}],\"extra\":1}");
        assertThat(errors).containsExactlyInAnyOrder(
                "$.items: allows at most 2 items, has 3",
                "$.items[0].name: text longer than 5 characters",
                "$.items[0].kind: expected one of [\"PERSON\",\"ANIMAL\"], got string \"ROBOT\"",
                "$.items[0].count: 0.0 is below the minimum 1",
                "$.items[1].count: expected integer, got string \"2\"",
                "$.items[2]: missing required property \"count\"",
                "$: unexpected property \"extra\"");
    }

    @Test
    void wrongTopLevelTypeIsOneError() throws Exception {
        assertThat(errors("[1,2]")).containsExactly("$: expected object, got array [1,2]");
        assertThat(errors("{\"items\":[{\"name\":\"a\",\"kind\":\"PERSON\",\"count\":2.5}]}"))
                .containsExactly("$.items[0].count: expected integer, got number 2.5");
    }

    @Test
    void nullableTypeArraysAndAnyOfAreUnderstood() throws Exception {
        JsonNode schema = MAPPER.readTree("{\"type\":[\"string\",\"null\"]}");
        assertThat(JsonSchemaValidator.isValid(schema, MAPPER.readTree("null"))).isTrue();
        assertThat(JsonSchemaValidator.isValid(schema, MAPPER.readTree("3"))).isFalse();
        JsonNode anyOf = MAPPER.readTree("{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"boolean\"}]}");
        assertThat(JsonSchemaValidator.isValid(anyOf, MAPPER.readTree("true"))).isTrue();
        assertThat(JsonSchemaValidator.validate(anyOf, MAPPER.readTree("\"x\""))).containsExactly("$: matches none of the allowed alternatives");
    }
}
