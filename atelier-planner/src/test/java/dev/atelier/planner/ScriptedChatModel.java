package dev.atelier.planner;

import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/** A chat model that answers with given texts in order and remembers every request, for exact planner tests. */
final class ScriptedChatModel implements ChatModel {
    private final Deque<Function<ChatRequest, String>> script = new ArrayDeque<>();
    final List<ChatRequest> requests = new ArrayList<>();

    static ScriptedChatModel answering(String... answers) {
        ScriptedChatModel model = new ScriptedChatModel();
        for (String a : answers) model.then(a);
        return model;
    }

    ScriptedChatModel then(String answer) {
        script.add(request -> answer);
        return this;
    }

    ScriptedChatModel then(Function<ChatRequest, String> answer) {
        script.add(answer);
        return this;
    }

    ScriptedChatModel thenFail(RuntimeException error) {
        script.add(request -> { throw error; });
        return this;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        requests.add(request);
        if (script.isEmpty()) throw new AssertionError("the planner asked more than scripted; request: " + lastUserText());
        return ChatResponse.of(script.poll().apply(request));
    }

    /** The text of the last message of the most recent request. */
    String lastUserText() {
        return requests.isEmpty() ? "" : requests.getLast().messages().getLast().text();
    }

    /** All text the model was sent in request {@code i}. */
    String allText(int i) {
        return String.join("\n", requests.get(i).messages().stream().map(m -> m.text()).toList());
    }

    boolean exhausted() { return script.isEmpty(); }

    @Override
    public String name() { return "scripted"; }
}
