package dev.atelier.llm;

import java.util.List;

/** A conversation to answer and the options to answer it with. */
public record ChatRequest(List<ChatMessage> messages, ChatOptions options) {
    public ChatRequest {
        messages = List.copyOf(messages);
        options = options == null ? ChatOptions.DEFAULTS : options;
    }

    public ChatRequest withOptions(ChatOptions newOptions) { return new ChatRequest(messages, newOptions); }

    /** This conversation with more messages appended. */
    public ChatRequest followedBy(ChatMessage... more) {
        java.util.List<ChatMessage> all = new java.util.ArrayList<>(messages);
        all.addAll(List.of(more));
        return new ChatRequest(all, options);
    }

    public static ChatRequest of(ChatMessage... messages) { return new ChatRequest(List.of(messages), ChatOptions.DEFAULTS); }
}
