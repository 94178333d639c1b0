package dev.atelier.llm;

/**
 * A model's answer.
 *
 * @param finishReason why generation stopped: {@code STOP} (natural end or stop string), {@code LENGTH} (token limit)
 */
public record ChatResponse(String text, FinishReason finishReason, int promptTokens, int completionTokens) {
    public enum FinishReason { STOP, LENGTH, OTHER }

    public static ChatResponse of(String text) { return new ChatResponse(text, FinishReason.STOP, 0, 0); }
}
