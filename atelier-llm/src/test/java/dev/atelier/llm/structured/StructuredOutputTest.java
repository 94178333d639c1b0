package dev.atelier.llm.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.json.JsonSchemas;
import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatOptions;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StructuredOutputTest {

    enum Kind { PERSON, ANIMAL }

    record Region(String prompt, Kind kind) {}

    record Plan(String prompt, List<Region> regions, Optional<String> negative) {}

    static final ChatRequest REQUEST = new ChatRequest(List.of(ChatMessage.system("Plan."), ChatMessage.user("a cat and a man")),
            ChatOptions.DEFAULTS.withMaxTokens(200));

    @Test
    void validAnswerBecomesARecordAndTheSchemaTravelsInTheOptions() throws Exception {
        var model = new ScriptedChatModel().answer("{\"prompt\":\"p\",\"regions\":[{\"prompt\":\"cat\",\"kind\":\"ANIMAL\"}],\"negative\":\"blur\"}");
        Plan plan = new StructuredOutput(model).generate(REQUEST, Plan.class);
        assertThat(plan).isEqualTo(new Plan("p", List.of(new Region("cat", Kind.ANIMAL)), Optional.of("blur")));
        String schema = model.requests.getFirst().options().jsonSchema();
        assertThat(new ObjectMapper().readTree(schema)).isEqualTo(JsonSchemas.forType(Plan.class));
        assertThat(model.requests.getFirst().options().maxTokens()).isEqualTo(200);
    }

    @Test
    void repairableAnswerNeedsNoRetry() {
        var model = new ScriptedChatModel().answer("Here you go:\n```json\n{\"prompt\":\"p\",\"regions\":{\"prompt\":\"man\",\"kind\":\"person\"}}\n```");
        Plan plan = new StructuredOutput(model).generate(REQUEST, Plan.class);
        assertThat(plan).isEqualTo(new Plan("p", List.of(new Region("man", Kind.PERSON)), Optional.empty()));
        assertThat(model.requests).hasSize(1);
    }

    @Test
    void invalidAnswerIsRetriedWithTheErrorsFedBack() {
        String bad = "{\"prompt\":\"p\",\"regions\":[{\"prompt\":\"x\",\"kind\":\"ROBOT\"}]}";
        var model = new ScriptedChatModel().answer(bad).answer("{\"prompt\":\"p\",\"regions\":[]}");
        Plan plan = new StructuredOutput(model, 3).generate(REQUEST, Plan.class);
        assertThat(plan.regions()).isEmpty();
        assertThat(model.requests).hasSize(2);
        List<ChatMessage> retry = model.requests.get(1).messages();
        assertThat(retry).hasSize(4);
        assertThat(retry.get(2)).isEqualTo(ChatMessage.assistant(bad));
        assertThat(retry.get(3).role()).isEqualTo(ChatMessage.Role.USER);
        assertThat(retry.get(3).text()).contains("$.regions[0].kind: expected one of [\"PERSON\",\"ANIMAL\"], got string \"ROBOT\"")
                .contains("\"regions\"");
    }

    @Test
    void giveUpAfterMaxAttemptsWithTheRawText() {
        var model = new ScriptedChatModel().answer("no idea").answer("still no idea");
        assertThatThrownBy(() -> new StructuredOutput(model, 2).generate(REQUEST, Plan.class))
                .isInstanceOfSatisfying(StructuredOutputException.class, e -> {
                    assertThat(e.rawText()).isEqualTo("still no idea");
                    assertThat(e.attempts()).isEqualTo(2);
                    assertThat(e.truncated()).isFalse();
                    assertThat(e.errors()).containsExactly("the answer contains no JSON value");
                    assertThat(e.getMessage()).contains("2 attempts").contains("scripted");
                });
        assertThat(model.requests).hasSize(2);
    }

    @Test
    void cutOffAnswerFailsAtOnceAndSaysToRaiseTheLimit() {
        String cut = "{\"prompt\":\"a long prom";
        var model = new ScriptedChatModel().answer(new ChatResponse(cut, ChatResponse.FinishReason.LENGTH, 10, 200));
        assertThatThrownBy(() -> new StructuredOutput(model, 3).generate(REQUEST, Plan.class))
                .isInstanceOfSatisfying(StructuredOutputException.class, e -> {
                    assertThat(e.truncated()).isTrue();
                    assertThat(e.rawText()).isEqualTo(cut);
                    assertThat(e.getMessage()).contains("cut off by the token limit (max tokens 200)").contains("Raise the max-tokens");
                });
        assertThat(model.requests).hasSize(1);
    }

    @Test
    void schemaFormReturnsTheValidatedJson() throws Exception {
        JsonNode schema = new ObjectMapper().readTree("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}");
        var model = new ScriptedChatModel().answer("{\"n\": \"5\"}");
        assertThat(new StructuredOutput(model).generate(REQUEST, schema).get("n").asInt()).isEqualTo(5);
    }
}
