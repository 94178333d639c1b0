package dev.atelier.llm.structured;

import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Answers with scripted responses in order and records the requests it got. */
final class ScriptedChatModel implements ChatModel {
    private final Deque<ChatResponse> answers = new ArrayDeque<>();
    final List<ChatRequest> requests = new ArrayList<>();

    ScriptedChatModel answer(String text) { return answer(ChatResponse.of(text)); }

    ScriptedChatModel answer(ChatResponse response) {
        answers.add(response);
        return this;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        requests.add(request);
        if (answers.isEmpty()) throw new AssertionError("no scripted answer left");
        return answers.poll();
    }

    @Override
    public String name() { return "scripted"; }
}
