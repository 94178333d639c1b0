package dev.atelier.planner;

import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MGIE's expressive instructions: a terse command ("make it more healthy") and the picture (shown to a vision model,
 * or described by its caption) become an explicit, concise instruction ("replace the fries with a green salad").
 * The model is asked what the picture will be like after the command, greedily and briefly; its answer is cleaned as
 * MGIE does (assistant part only, cut at "alternative", first two sentences). The result is never empty: when the
 * model gives nothing usable, the terse command itself is the instruction.
 */
public final class ExpressiveInstructions {
    private static final Logger log = LoggerFactory.getLogger(ExpressiveInstructions.class);
    /** MGIE decodes greedily with at most 96 new tokens. */
    static final int MAX_TOKENS = 96;
    private static final Pattern ROLE_PREFIX = Pattern.compile("(?is)^.*?\\b(?:assistant|answer|response)\\s*:\\s*");
    private static final Pattern SENTENCE_END = Pattern.compile("[.!?](?=\\s|$)");

    private final StructuredAnswers llm;

    public ExpressiveInstructions(StructuredAnswers llm) {
        this.llm = llm;
    }

    /** The result and whether it came from the model (false: the terse command was kept). */
    public record Instruction(String text, boolean expanded) {}

    public Instruction expand(String terse, PlanRequest.ImageInput image, boolean showImage, Long seed) {
        String command = terse.strip();
        String template = showImage && image != null ? "mgie-vision.txt" : "mgie-caption.txt";
        String caption = image == null || image.caption() == null || image.caption().isBlank()
                ? "(no description of the picture is available; infer the likely scene from the command)"
                : image.caption().strip();
        String question = PromptTemplates.render(template, Map.of("instruction", command, "caption", caption));
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(PromptTemplates.render("mgie-system.txt", Map.of())));
        messages.add(Conversations.user(question, showImage ? image : null));
        ChatOptions options = ChatOptions.DEFAULTS.withTemperature(0).withMaxTokens(MAX_TOKENS);
        if (seed != null) options = options.withSeed(seed);
        String answer;
        try {
            answer = llm.text(messages, options);
        } catch (RuntimeException e) {
            log.warn("the model could not expand \"{}\" ({}); the command is used as it is", command, e.getMessage());
            return new Instruction(command, false);
        }
        String cleaned = clean(answer);
        if (cleaned.isEmpty()) return new Instruction(command, false);
        return new Instruction(cleaned, true);
    }

    /**
     * MGIE's clean-up: the assistant's part, everything before "alternative", the first two sentences; plus removing
     * quotes and list marks that small models add. Returns "" when nothing with letters is left.
     */
    public static String clean(String answer) {
        if (answer == null) return "";
        String text = answer.replace('\n', ' ').strip();
        Matcher role = ROLE_PREFIX.matcher(text);
        if (role.find()) text = text.substring(role.end());
        int alternative = text.toLowerCase(Locale.ROOT).indexOf("alternative");
        if (alternative >= 0) text = withoutDanglingEnd(text.substring(0, alternative));
        Matcher end = SENTENCE_END.matcher(text);
        for (int sentences = 0; end.find(); ) {
            if (++sentences == 2) {
                text = text.substring(0, end.end());
                break;
            }
        }
        text = trimEnds(text).replaceAll("\\s+", " ").strip();
        return text.codePoints().anyMatch(Character::isLetter) ? text : "";
    }

    /**
     * Without the quotes, bullets and dashes small models put around an answer. By hand: a regex such as
     * {@code [\\s"'*]+$} is tried from every character of a long run of spaces and takes quadratic time.
     */
    private static String trimEnds(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && (Character.isWhitespace(text.charAt(start)) || "\"'*\u2022-".indexOf(text.charAt(start)) >= 0)) start++;
        while (end > start && (Character.isWhitespace(text.charAt(end - 1)) || "\"'*".indexOf(text.charAt(end - 1)) >= 0)) end--;
        return text.substring(start, end);
    }

    private static final Set<String> DANGLING_WORDS = Set.of("or", "and", "an", "a", "the", "as", "with", "is", "to", "for", "of");

    /** A cut inside a sentence ("…salad, or as an") goes back to the last full sentence, or drops the dangling words. */
    private static String withoutDanglingEnd(String cut) {
        Matcher end = SENTENCE_END.matcher(cut);
        int lastEnd = -1;
        while (end.find()) lastEnd = end.end();
        if (lastEnd > 0) return cut.substring(0, lastEnd);
        // word by word from the end: each step looks only at the last word, so a long run of them stays linear
        String text = cut.strip();
        int length = text.length();
        while (true) {
            while (length > 0 && Character.isWhitespace(text.charAt(length - 1))) length--;
            if (length == 0) break;
            char last = text.charAt(length - 1);
            if (last == ',' || last == ';' || last == ':') {
                length--;
                continue;
            }
            int wordStart = length;
            while (wordStart > 0 && isWordChar(text.charAt(wordStart - 1))) wordStart--;
            if (wordStart == length || !DANGLING_WORDS.contains(text.substring(wordStart, length).toLowerCase(Locale.ROOT))) break;
            length = wordStart;
        }
        return text.substring(0, length).strip();
    }

    /** What a regex's \\b counts as part of a word. */
    private static boolean isWordChar(char c) {
        return c == '_' || (c < 128 && Character.isLetterOrDigit(c));
    }
}
