package dev.atelier.llm.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.testkit.fuzz.GrowthCheck;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** JSON repair of model answers: never throws, and its time grows linearly with nesting depth and length. */
class JsonRepairFuzzTest {
    private static final JsonNode SCHEMA = schema();

    private static JsonNode schema() {
        try {
            return new ObjectMapper().readTree("""
                    {"type": "object", "additionalProperties": false, "required": ["prompt"],
                     "properties": {"prompt": {"type": "string"}, "steps": {"type": "integer"},
                       "regions": {"type": "array", "items": {"type": "object",
                         "properties": {"prompt": {"type": "string"}, "weight": {"type": "number"}}}},
                       "kind": {"enum": ["text_to_image", "edit"]}}}""");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void deepUnclosedNestingIsRepairedInLinearTime() {
        double ratio = GrowthCheck.timeRatio(n -> JsonRepair.repair("[".repeat(n), null), 2_000, 32);
        assertThat(ratio).as("32x the brackets, quadratic would be ~1024x").isLessThan(300);
        double mixed = GrowthCheck.timeRatio(n -> JsonRepair.repair("{\"a\": [".repeat(n), SCHEMA), 1_000, 32);
        assertThat(mixed).as("32x the nesting, quadratic would be ~1024x").isLessThan(300);
    }

    @Test
    void twentyKilobytesOfBracketsGiveAResult() {
        JsonRepair.Result result = JsonRepair.repair("[".repeat(20_000), null);
        assertThat(result.truncated()).isTrue();
        JsonRepair.Result deep = JsonRepair.repair("[".repeat(20_000) + "]".repeat(20_000), null);
        assertThat(deep.valid()).as("deeper than the JSON reader's nesting limit").isFalse();
        assertThat(deep.errors()).isNotEmpty();
    }

    @Test
    void cutsStillCloseEveryOpenBracket() {
        JsonRepair.Result result = JsonRepair.repair("{\"prompt\": \"fox\", \"regions\": [{\"prompt\": \"sky\"}, {\"pro",
                SCHEMA);
        assertThat(result.valid()).isTrue();
        // the latest cut is just inside the second region's brace: both the brace and the list are closed there
        assertThat(result.value().path("regions").toString()).isEqualTo("[{\"prompt\":\"sky\"},{}]");
    }

    @Test
    void randomAnswersNeverThrow() {
        List<String> pieces = List.of("{", "}", "[", "]", "\"", "'", ",", ":", "\\", "```json\n", "```", "prompt",
                "\"prompt\"", "\"steps\"", "12", "\"12\"", "-1e999", "true", "null", "// c\n", "/*", "*/", " ", "\n",
                "\"regions\": [", "\"kind\": \"Text To Image\"", "\uFEFF", "\u0000", "NaN");
        Random random = new Random(15);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int run = 0; run < 20_000; run++) {
                StringBuilder answer = new StringBuilder();
                for (int i = random.nextInt(40); i > 0; i--) answer.append(pieces.get(random.nextInt(pieces.size())));
                try {
                    JsonRepair.Result result = JsonRepair.repair(answer.toString(), random.nextBoolean() ? SCHEMA : null);
                    assertThat(result.valid() || !result.errors().isEmpty()).isTrue();
                } catch (Throwable e) {
                    fail("repairing " + answer + " threw " + e, e);
                }
            }
        });
    }
}
