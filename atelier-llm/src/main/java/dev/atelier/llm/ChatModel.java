package dev.atelier.llm;

import java.util.function.Consumer;

/**
 * A language model that answers a conversation. The one seam between Atelier and any LLM engine:
 * in-process llama.cpp, an OpenAI-compatible server, or a scripted double in tests.
 */
public interface ChatModel extends AutoCloseable {

    /** Answers the conversation in one piece. */
    ChatResponse chat(ChatRequest request);

    /**
     * Answers the conversation token by token; {@code onToken} receives text pieces in order and the
     * returned response holds their concatenation. Engines that cannot stream deliver one piece.
     */
    default ChatResponse stream(ChatRequest request, Consumer<String> onToken) {
        ChatResponse response = chat(request);
        onToken.accept(response.text());
        return response;
    }

    /** A short human-readable name, for logs and plan metadata. */
    String name();

    @Override
    default void close() {}
}
