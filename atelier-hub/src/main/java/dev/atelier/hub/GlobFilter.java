package dev.atelier.hub;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * File patterns as huggingface_hub applies them to repository paths (Python fnmatch): {@code *} matches any run of
 * characters, slashes included, {@code ?} one character, {@code [abc]} a set; a pattern ending in {@code /} means
 * everything under that folder. No patterns means every file.
 */
public final class GlobFilter implements Predicate<String> {
    private final List<String> patterns;
    private final List<Pattern> compiled;

    public GlobFilter(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.compiled = this.patterns.stream().map(GlobFilter::toRegex).map(Pattern::compile).toList();
    }

    public static GlobFilter all() { return new GlobFilter(List.of()); }

    public List<String> patterns() { return patterns; }

    public boolean matchesEverything() { return patterns.isEmpty(); }

    @Override
    public boolean test(String path) {
        return compiled.isEmpty() || compiled.stream().anyMatch(p -> p.matcher(path).matches());
    }

    static String toRegex(String glob) {
        String g = glob.endsWith("/") ? glob + "*" : glob;
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int close = g.indexOf(']', i + 2);
                    if (close < 0) {
                        re.append("\\[");
                    } else {
                        String set = g.substring(i + 1, close);
                        if (set.startsWith("!")) set = "^" + set.substring(1);
                        re.append('[').append(set.replace("\\", "\\\\")).append(']');
                        i = close;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    @Override
    public String toString() { return patterns.isEmpty() ? "*" : String.join(" ", patterns); }
}
