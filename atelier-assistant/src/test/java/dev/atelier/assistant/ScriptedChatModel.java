package dev.atelier.assistant;

import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A chat model that answers with given texts in order and remembers every request. */
final class ScriptedChatModel implements ChatModel {
    private final Deque<String> script = new ArrayDeque<>();
    final List<ChatRequest> requests = new ArrayList<>();

    static ScriptedChatModel answering(String... answers) {
        ScriptedChatModel model = new ScriptedChatModel();
        model.then(answers);
        return model;
    }

    ScriptedChatModel then(String... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        requests.add(request);
        if (script.isEmpty()) throw new AssertionError("asked more than scripted: " + allText(requests.size() - 1));
        return ChatResponse.of(script.poll());
    }

    String allText(int i) {
        return String.join("\n", requests.get(i).messages().stream().map(m -> m.role() + ": " + m.text()).toList());
    }

    boolean exhausted() { return script.isEmpty(); }

    @Override
    public String name() { return "scripted"; }
}
