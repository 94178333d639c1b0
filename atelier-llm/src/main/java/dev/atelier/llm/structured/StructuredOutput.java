package dev.atelier.llm.structured;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.atelier.core.json.JsonSchemas;
import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import dev.atelier.llm.Prompts;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a {@link ChatModel} for an answer shaped by a Java record (or a JSON Schema) and returns it validated.
 * The schema travels in the request options (a grammar in llama.cpp, {@code response_format} over HTTP). An answer
 * that is not valid is repaired when that is safe ({@link JsonRepair}); otherwise the model is asked again with the
 * validation errors, at most {@code maxAttempts} times in all, and then a {@link StructuredOutputException} carrying
 * the raw text is thrown. An answer cut off by the token limit fails at once with advice to raise the limit.
 *
 * <pre>{@code
 * Plan plan = new StructuredOutput(model).generate(request, Plan.class);
 * }</pre>
 */
public final class StructuredOutput {

    private static final Logger LOG = LoggerFactory.getLogger(StructuredOutput.class);
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private final ChatModel model;
    private final int maxAttempts;

    public StructuredOutput(ChatModel model) { this(model, DEFAULT_MAX_ATTEMPTS); }

    public StructuredOutput(ChatModel model, int maxAttempts) {
        this.model = Objects.requireNonNull(model, "model");
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
        this.maxAttempts = maxAttempts;
    }

    /** An instance of {@code type} (a record) built from the model's answer to {@code request}. */
    public <T> T generate(ChatRequest request, Class<T> type) {
        JsonNode schema = JsonSchemas.forType(type);
        return run(request, schema, value -> MAPPER.treeToValue(value, type));
    }

    /** A JSON value valid for {@code schema}, from the model's answer to {@code request}. */
    public JsonNode generate(ChatRequest request, JsonNode schema) {
        return run(request, schema, value -> value);
    }

    @FunctionalInterface
    private interface Converter<T> {
        T convert(JsonNode value) throws Exception;
    }

    private <T> T run(ChatRequest request, JsonNode schema, Converter<T> converter) {
        String schemaText = schema.toString();
        ChatRequest current = request.withOptions(request.options().withJsonSchema(schemaText));
        String raw = "";
        List<String> errors = List.of();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            ChatResponse response = model.chat(current);
            raw = response.text() == null ? "" : response.text();
            JsonRepair.Result result = JsonRepair.repair(raw, schema);
            errors = result.errors();
            if (result.valid()) {
                try {
                    T value = converter.convert(result.value());
                    if (result.truncated()) {
                        LOG.info("the answer of {} was cut off; its complete part is used ({})", model.name(), result.repairs());
                    } else if (!result.repairs().isEmpty()) {
                        LOG.debug("repaired answer of {}: {}", model.name(), result.repairs());
                    }
                    return value;
                } catch (Exception e) {
                    errors = List.of("$: " + e.getMessage().lines().findFirst().orElse("cannot be read"));
                }
            }
            boolean cutOff = response.finishReason() == ChatResponse.FinishReason.LENGTH
                    || (result.truncated() && request.options().maxTokens() != null);
            if (cutOff) {
                Integer limit = current.options().maxTokens();
                throw new StructuredOutputException("The answer of " + model.name() + " was cut off by the token limit"
                        + (limit != null ? " (max tokens " + limit + ")" : "") + " before its JSON was complete. "
                        + "Raise the max-tokens limit (or the context size) and try again.", raw, errors, attempt, true);
            }
            LOG.info("answer {} of {} from {} is not valid for the schema: {}", attempt, maxAttempts, model.name(), errors);
            if (attempt < maxAttempts) {
                String feedback = Prompts.render("structured-retry",
                        Map.of("errors", "- " + String.join("\n- ", errors), "schema", schemaText));
                current = current.followedBy(ChatMessage.assistant(raw), ChatMessage.user(feedback));
            }
        }
        throw new StructuredOutputException("The model " + model.name() + " gave no answer valid for the expected JSON "
                + "structure in " + maxAttempts + " attempt" + (maxAttempts == 1 ? "" : "s") + " (" + String.join("; ", errors)
                + "). Try a larger or instruction-tuned model, or a lower temperature.", raw, errors, maxAttempts, false);
    }
}
