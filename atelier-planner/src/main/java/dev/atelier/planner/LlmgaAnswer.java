package dev.atelier.planner;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LLMGA's convention: a model answers in prose and puts the generation prompt between {@code <gen_image>} and
 * {@code </gen_image>}. Such an answer is a request to render; the prose around it is the reply to the person.
 *
 * @param prompt the text inside the first tag pair (a missing closing tag runs to the end of the answer)
 * @param reply  the answer with the tagged part removed
 */
public record LlmgaAnswer(String prompt, String reply) {
    private static final Pattern TAGGED = Pattern.compile("(?is)<\\s*gen_image\\s*>(.*?)(?:<\\s*/\\s*gen_image\\s*>|$)");

    /** The prompt of an LLMGA-shaped answer, or empty when the answer is plain text (or the tag is empty). */
    public static Optional<LlmgaAnswer> parse(String answer) {
        if (answer == null) return Optional.empty();
        Matcher m = TAGGED.matcher(answer);
        while (m.find()) {
            String prompt = m.group(1).replaceAll("\\s+", " ").strip();
            if (!prompt.isEmpty()) {
                String reply = (answer.substring(0, m.start()) + " " + answer.substring(m.end())).replaceAll("\\s+", " ").strip();
                return Optional.of(new LlmgaAnswer(prompt, reply));
            }
        }
        return Optional.empty();
    }
}
