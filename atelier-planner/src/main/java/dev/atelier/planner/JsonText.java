package dev.atelier.planner;

import java.util.Optional;

/** Finds a JSON object inside a model's answer that may wrap it in markdown fences or prose. */
final class JsonText {
    private JsonText() {}

    /** The first balanced {@code {…}} in the text (strings and escapes respected), if any. */
    static Optional<String> firstObject(String text) {
        if (text == null) return Optional.empty();
        for (int start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
            int end = matchingBrace(text, start);
            if (end > 0) return Optional.of(text.substring(start, end + 1));
        }
        return Optional.empty();
    }

    private static int matchingBrace(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
