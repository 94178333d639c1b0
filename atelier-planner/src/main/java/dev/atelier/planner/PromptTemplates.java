package dev.atelier.planner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The planner's prompts, read from resource files under {@code dev/atelier/planner/prompts/}; {@code {{name}}} marks a slot. */
public final class PromptTemplates {
    private static final Pattern SLOT = Pattern.compile("\\{\\{([a-zA-Z0-9_]+)}}");
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private PromptTemplates() {}

    /** The raw text of a resource under the prompts folder, for example {@code "router.txt"}. */
    public static String text(String name) {
        return CACHE.computeIfAbsent(name, PromptTemplates::load);
    }

    /** The template with every slot filled; a slot without a value is a programming error. */
    public static String render(String name, Map<String, String> values) {
        Matcher m = SLOT.matcher(text(name));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) throw new IllegalStateException("prompt " + name + " needs a value for {{" + m.group(1) + "}}");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString().strip();
    }

    private static String load(String name) {
        String path = "prompts/" + name;
        try (InputStream in = PromptTemplates.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing prompt resource dev/atelier/planner/" + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
