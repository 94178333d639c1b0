package dev.atelier.planner;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which of the conversation's pictures a request names in words ("the second one", "picture 3", "the last one"),
 * for when the model names none. Only numbers of pictures that exist are returned.
 */
public final class PictureReference {
    private static final Map<String, Integer> ORDINALS = Map.ofEntries(
            Map.entry("first", 1), Map.entry("second", 2), Map.entry("third", 3), Map.entry("fourth", 4),
            Map.entry("fifth", 5), Map.entry("sixth", 6), Map.entry("seventh", 7), Map.entry("eighth", 8),
            Map.entry("ninth", 9), Map.entry("tenth", 10));
    private static final Pattern ORDINAL = Pattern.compile(
            "\\b(?:the\\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\\d{1,3}(?:st|nd|rd|th))\\s+"
                    + "(?:one|picture|image|photo|drawing|version)\\b");
    private static final Pattern NUMBERED = Pattern.compile("\\b(?:picture|image|photo|number|no\\.?|#)\\s*#?(\\d{1,3})\\b|#(\\d{1,3})\\b");
    private static final Pattern LATEST = Pattern.compile(
            "\\b(?:the\\s+)?(?:last|latest|previous|most recent)\\s+(?:one|picture|image|photo|version)\\b");

    private PictureReference() {}

    /** The picture number (1 … {@code count}) the words name, if any. */
    public static Optional<Integer> fromWords(String text, int count) {
        if (count < 1 || text == null) return Optional.empty();
        String t = text.toLowerCase(Locale.ROOT);
        Matcher m = ORDINAL.matcher(t);
        if (m.find()) return within(ordinal(m.group(1)), count);
        m = NUMBERED.matcher(t);
        if (m.find()) return within(Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2)), count);
        if (LATEST.matcher(t).find()) return Optional.of(count);
        return Optional.empty();
    }

    private static int ordinal(String word) {
        Integer named = ORDINALS.get(word);
        return named != null ? named : Integer.parseInt(word.replaceAll("\\D", ""));
    }

    private static Optional<Integer> within(int number, int count) {
        return number >= 1 && number <= count ? Optional.of(number) : Optional.empty();
    }
}
