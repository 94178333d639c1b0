package dev.atelier.llm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Prompt texts kept as resources under {@code dev/atelier/llm/prompts}, with {@code {{name}}} placeholders. */
public final class Prompts {

    private Prompts() {}

    /** The named prompt with its placeholders filled in. */
    public static String render(String name, Map<String, String> values) {
        String text = load(name);
        for (var e : values.entrySet()) text = text.replace("{{" + e.getKey() + "}}", e.getValue());
        return text.strip();
    }

    private static String load(String name) {
        String resource = "/dev/atelier/llm/prompts/" + name + ".txt";
        try (InputStream in = Prompts.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing prompt resource " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
