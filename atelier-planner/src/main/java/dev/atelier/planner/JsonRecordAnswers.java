package dev.atelier.planner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatOptions;
import dev.atelier.llm.ChatRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link StructuredAnswers} straight over a {@link ChatModel}: asks with the record's JSON Schema (when a schema source
 * is given), takes the JSON object out of fences or prose, reads it into the record, and on an invalid answer asks
 * again with the error, up to {@code maxAttempts} times.
 */
public final class JsonRecordAnswers implements StructuredAnswers {
    private static final Logger log = LoggerFactory.getLogger(JsonRecordAnswers.class);
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private final ChatModel model;
    private final Function<Class<?>, String> schemaFor;
    private final int maxAttempts;

    /**
     * @param schemaFor the JSON Schema text of a record type, or null to ask without a schema (plain instructions)
     */
    public JsonRecordAnswers(ChatModel model, Function<Class<?>, String> schemaFor, int maxAttempts) {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
        this.model = model;
        this.schemaFor = schemaFor;
        this.maxAttempts = maxAttempts;
    }

    @Override
    public String text(List<ChatMessage> messages, ChatOptions options) {
        return model.chat(new ChatRequest(messages, options)).text();
    }

    @Override
    public <T> T record(List<ChatMessage> messages, Class<T> type, ChatOptions options) {
        String schema = schemaFor == null ? null : schemaFor.apply(type);
        ChatOptions withSchema = schema == null ? options : options.withJsonSchema(schema);
        List<ChatMessage> conversation = new ArrayList<>(messages);
        String raw = "";
        String problem = "";
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            raw = model.chat(new ChatRequest(conversation, withSchema)).text();
            try {
                return read(raw, type);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
                log.debug("{}: answer {} of {} is not a valid {}: {}", model.name(), attempt, maxAttempts, type.getSimpleName(), problem);
                conversation.add(ChatMessage.assistant(raw));
                conversation.add(ChatMessage.user(PromptTemplates.render("json-retry.txt", Map.of("problem", problem))));
            }
        }
        throw new PlannerOutputException("The language model " + model.name() + " gave no valid " + type.getSimpleName()
                + " in " + maxAttempts + " attempts (last problem: " + problem + "); try a larger or instruction-tuned model.",
                raw, null);
    }

    @Override
    public String modelName() { return model.name(); }

    /** Reads the first JSON object in {@code raw} into {@code type}; IllegalArgumentException says what is wrong. */
    static <T> T read(String raw, Class<T> type) {
        String json = JsonText.firstObject(raw)
                .orElseThrow(() -> new IllegalArgumentException("the answer contains no JSON object"));
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) throw new IllegalArgumentException("the answer is JSON null");
            return value;
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalArgumentException(cause.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }
}
