package dev.atelier.planner;

import dev.atelier.llm.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/** Builds the message lists the planner sends. */
final class Conversations {
    private Conversations() {}

    /** System prompt, earlier turns, then this turn (with the picture when the model should see it). */
    static List<ChatMessage> of(String system, PlanRequest request, String userText, boolean withImage) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(system));
        messages.addAll(request.history());
        messages.add(user(userText, withImage ? request.image() : null));
        return messages;
    }

    static ChatMessage user(String text, PlanRequest.ImageInput image) {
        if (image == null) return ChatMessage.user(text);
        return new ChatMessage(ChatMessage.Role.USER,
                List.of(new ChatMessage.Image(image.bytes(), image.mimeType()), new ChatMessage.Text(text)));
    }

    /** The conversation's pictures as a numbered list with what each shows, or a line saying there are none. */
    static String picturesNote(PlanRequest request) {
        if (request.pictures().isEmpty()) return "The conversation has no pictures yet.";
        StringBuilder sb = new StringBuilder("Pictures of the conversation so far:");
        for (int i = 0; i < request.pictures().size(); i++) {
            String caption = request.pictures().get(i).caption();
            sb.append('\n').append(i + 1).append(". ")
                    .append(caption == null || caption.isBlank() ? "(not described)" : caption.strip().replace('\n', ' '));
        }
        return sb.toString();
    }

    /** What the model is told about the picture in words: its caption, or that there is one. */
    static String imageNote(PlanRequest request) {
        if (!request.hasImage()) return "No picture is attached.";
        String caption = request.image().caption();
        return caption == null || caption.isBlank()
                ? "A picture is attached."
                : "A picture is attached; it shows: " + caption.strip();
    }
}
