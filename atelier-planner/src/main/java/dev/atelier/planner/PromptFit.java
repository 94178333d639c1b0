package dev.atelier.planner;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a written prompt usable by CLIP: within its 77-token window (75 between the start and end tokens) and
 * holding the person's own words. Token counts come from a counter that may be the real CLIP tokenizer; the default
 * estimate splits text the way CLIP does and counts long words as several tokens, so it errs on the long side.
 */
public final class PromptFit {
    /** Tokens between CLIP's start and end tokens. */
    public static final int CLIP_WINDOW = 75;

    private static final Pattern CLIP_PIECES = Pattern.compile("'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+");
    private static final Pattern WORD = Pattern.compile("\\p{L}[\\p{L}'-]*|\\p{N}+");
    private static final Set<String> FILLER = Set.of(
            "a", "an", "the", "and", "or", "of", "on", "in", "at", "to", "for", "with", "from", "by", "as", "is", "are",
            "be", "it", "its", "it's", "this", "that", "these", "those", "please", "make", "create", "draw", "generate",
            "render", "paint", "give", "me", "i", "want", "would", "like", "show", "can", "could", "you", "some", "my",
            "image", "picture", "into", "just", "very", "really", "let", "let's", "get");

    private final ToIntFunction<String> tokenCounter;
    private final int window;

    public PromptFit(ToIntFunction<String> tokenCounter, int window) {
        this.tokenCounter = tokenCounter;
        this.window = window;
    }

    /** The default: estimated CLIP tokens, CLIP's window. */
    public static PromptFit clip() { return new PromptFit(PromptFit::estimateClipTokens, CLIP_WINDOW); }

    /**
     * An upper-leaning estimate of CLIP BPE tokens: one per piece, one more per five letters after the first (common
     * words up to five letters are one token; longer ones are often two). Checked against the real tokenizer in tests.
     */
    public static int estimateClipTokens(String text) {
        int count = 0;
        Matcher m = CLIP_PIECES.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            String piece = m.group();
            count += Character.isLetter(piece.charAt(0)) ? 1 + (piece.length() - 1) / 5 : 1;
        }
        return count;
    }

    public int tokens(String text) { return tokenCounter.applyAsInt(text); }

    public boolean fits(String text) { return tokens(text) <= window; }

    /** The person's content words (fillers like "please make a" left out), in order. */
    public static List<String> contentWords(String request) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = WORD.matcher(request.toLowerCase(Locale.ROOT));
        while (m.find()) {
            String w = m.group();
            if (!FILLER.contains(w)) out.add(w);
        }
        return List.copyOf(out);
    }

    /** The content words of the request that the written text lost (plural/singular forms count as kept). */
    public static List<String> missingWords(String request, String written) {
        Set<String> have = new LinkedHashSet<>();
        Matcher m = WORD.matcher(written.toLowerCase(Locale.ROOT));
        while (m.find()) have.add(stem(m.group()));
        List<String> missing = new ArrayList<>();
        for (String w : contentWords(request)) if (!have.contains(stem(w))) missing.add(w);
        return missing;
    }

    private static String stem(String w) {
        if (w.length() > 4 && w.endsWith("ies")) return w.substring(0, w.length() - 3) + "y";
        if (w.length() > 3 && w.endsWith("es") && (w.endsWith("ches") || w.endsWith("shes") || w.endsWith("xes") || w.endsWith("sses"))) {
            return w.substring(0, w.length() - 2);
        }
        if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss")) return w.substring(0, w.length() - 1);
        return w;
    }

    /**
     * The prompt cut to the window: whole clauses (split at commas and sentence ends) from the front while they fit,
     * then whole words. The front holds the subject, so it is kept.
     */
    public String fit(String prompt) {
        String p = prompt.strip();
        if (fits(p)) return p;
        String[] clauses = p.split("(?<=[,.;])\\s+");
        StringBuilder kept = new StringBuilder();
        for (String clause : clauses) {
            String next = kept.isEmpty() ? clause : kept + " " + clause;
            if (!fits(next)) break;
            kept.setLength(0);
            kept.append(next);
        }
        if (kept.isEmpty()) {
            for (String word : p.split("\\s+")) {
                String next = kept.isEmpty() ? word : kept + " " + word;
                if (!fits(next)) break;
                kept.setLength(0);
                kept.append(next);
            }
        }
        if (kept.isEmpty()) kept.append(fittingStart(p.split("\\s+", 2)[0]));
        int end = kept.length();
        while (end > 0 && (kept.charAt(end - 1) == ',' || kept.charAt(end - 1) == ';')) end--;
        return kept.substring(0, end).strip();
    }

    /**
     * The longest start of one unbroken word (a pasted hash, a run of letters without spaces) that fits: kept whole,
     * CLIP would read only its beginning anyway while the prompt claimed to have been cut.
     */
    private String fittingStart(String word) {
        int low = 0;                                      // fits
        int high = word.codePointCount(0, word.length()); // may not fit
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (fits(word.substring(0, word.offsetByCodePoints(0, mid)))) low = mid;
            else high = mid - 1;
        }
        return word.substring(0, word.offsetByCodePoints(0, low));
    }
}
