package dev.atelier.llm;

import java.util.List;
import java.util.Objects;

/** One turn of a conversation; its content may mix text and images. */
public record ChatMessage(Role role, List<Content> parts) {

    public enum Role { SYSTEM, USER, ASSISTANT }

    /** A piece of a message. */
    public sealed interface Content permits Text, Image {}

    public record Text(String text) implements Content {
        public Text { Objects.requireNonNull(text, "text"); }
    }

    /** An image as encoded bytes (PNG or JPEG) with its MIME type. */
    public record Image(byte[] bytes, String mimeType) implements Content {
        public Image {
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(mimeType, "mimeType");
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        parts = List.copyOf(parts);
    }

    public static ChatMessage system(String text) { return new ChatMessage(Role.SYSTEM, List.of(new Text(text))); }
    public static ChatMessage user(String text) { return new ChatMessage(Role.USER, List.of(new Text(text))); }
    public static ChatMessage assistant(String text) { return new ChatMessage(Role.ASSISTANT, List.of(new Text(text))); }

    /** The text parts joined, images left out. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Content c : parts) if (c instanceof Text t) sb.append(t.text());
        return sb.toString();
    }

    public boolean hasImages() { return parts.stream().anyMatch(p -> p instanceof Image); }
}
