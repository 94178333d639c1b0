package dev.atelier.planner;

import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        text = text.replaceAll("^[\\s\"'*\u2022\\-]+|[\\s\"'*]+$", "").replaceAll("\\s+", " ").strip();
        return text.codePoints().anyMatch(Character::isLetter) ? text : "";
    }

    /** A cut inside a sentence ("…salad, or as an") goes back to the last full sentence, or drops the dangling words. */
    private static String withoutDanglingEnd(String cut) {
        Matcher end = SENTENCE_END.matcher(cut);
        int lastEnd = -1;
        while (end.find()) lastEnd = end.end();
        if (lastEnd > 0) return cut.substring(0, lastEnd);
        String previous;
        String text = cut.strip();
        do {
            previous = text;
            text = text.replaceAll("(?i)(?:[,;:]|\\b(?:or|and|an|a|the|as|with|is|to|for|of)\\b)\\s*$", "").strip();
        } while (!text.equals(previous));
        return text;
    }
}
