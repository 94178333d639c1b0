package dev.atelier.planner;

import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatOptions;
import java.util.List;

/**
 * The planner's only way to talk to a language model: a free-text answer, or an answer read into a record type and
 * validated (with repair and retries inside). Kept this small so the engine behind it can change.
 */
public interface StructuredAnswers {

    /** The model's text answer to the conversation. */
    String text(List<ChatMessage> messages, ChatOptions options);

    /**
     * An instance of {@code type} read from the model's answer; invalid answers are repaired or asked again.
     *
     * @throws PlannerOutputException when no valid instance came back; it carries the last raw answer
     */
    <T> T record(List<ChatMessage> messages, Class<T> type, ChatOptions options);

    /** The model's name, for logs. */
    String modelName();
}
