package dev.atelier.planner;

import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatOptions;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.structured.StructuredOutput;
import dev.atelier.llm.structured.StructuredOutputException;
import java.util.List;

/**
 * {@link StructuredAnswers} over a {@link ChatModel} with atelier-llm's {@link StructuredOutput}: the record's JSON
 * Schema constrains the answer (a grammar in llama.cpp, {@code response_format} over HTTP); invalid answers are
 * repaired or asked again there.
 */
public final class StructuredOutputAnswers implements StructuredAnswers {
    private final ChatModel model;
    private final StructuredOutput structured;

    public StructuredOutputAnswers(ChatModel model, int maxAttempts) {
        this.model = model;
        this.structured = new StructuredOutput(model, maxAttempts);
    }

    @Override
    public String text(List<ChatMessage> messages, ChatOptions options) {
        String text = model.chat(new ChatRequest(messages, options)).text();
        return text == null ? "" : text;
    }

    @Override
    public <T> T record(List<ChatMessage> messages, Class<T> type, ChatOptions options) {
        try {
            return structured.generate(new ChatRequest(messages, options), type);
        } catch (StructuredOutputException e) {
            throw new PlannerOutputException(e.getMessage(), e.rawText(), e);
        }
    }

    @Override
    public String modelName() { return model.name(); }
}
