package dev.atelier.planner;

import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.SplitRatio;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads RPG's text format out of a model's answer:
 * <pre>
 * Final split ratio: 1,1;1,2,1
 * Regional Prompt: first region … BREAK second region … BREAK third region …
 * </pre>
 * It tolerates what models actually write (REFERENCE §1): spaces anywhere in the ratio, markdown bold and back-ticks,
 * the prompts on the lines below the label, RPG's older parenthesised ratios, blank lines inside the prompt list,
 * an explanation after the last prompt, and draft ratios or an echoed template before the final answer (the last
 * complete ratio-and-prompts pair wins). It never throws: an answer it cannot read gives {@link Unreadable} with the
 * reason. It does not reconcile the number of prompts with the number of regions; that is the caller's decision.
 */
public final class RpgAnswerParser {

    /** What came out of an answer. */
    public sealed interface Result permits Parsed, Unreadable {}

    /**
     * @param detailedPrompt the optional "Detailed prompt:" line Atelier's template asks for, or null
     * @param notes          repairs made while reading (for logs and warnings)
     */
    public record Parsed(SplitRatio ratio, List<String> prompts, String detailedPrompt, List<String> notes) implements Result {}

    public record Unreadable(String reason) implements Result {}

    private static final Pattern RATIO_LABEL = Pattern.compile("(?i)(?:final\\s+)?split[\\s_-]*ratios?\\s*[:：=]");
    private static final Pattern PROMPT_LABEL = Pattern.compile("(?i)regional[\\s_-]*prompts?\\s*[:：=]");
    // [ \\t]* rather than \\s*: from every line start \\s* would run over all the blank lines below it
    private static final Pattern DETAILED_LABEL = Pattern.compile("(?im)^[ \\t]*detailed\\s+prompt\\s*[:：]\\s*(.+)$");
    /** The ratio at the start of a line; neither part goes past the line's end. */
    private static final Pattern RATIO_CHARS = Pattern.compile("^[ \\t\\x0B\\f\"'\\[]*([0-9.,;()\\[\\] \\t]+)");
    private static final Pattern BREAK = Pattern.compile("[\\[<(]?\\bBREAK\\b[\\]>)]?");
    private static final Pattern BLANK_LINE = Pattern.compile("\\n[ \\t]*\\n");
    private static final Pattern AFTERWORD = Pattern.compile(
            "(?im)^\\s*(?:note|notes|explanation|reasoning|detailed prompt|base prompt|final split ratio|caption"
                    + "|this (?:layout|split|plan|arrangement|composition)|these|i hope|hope this|let me know)\\b");
    private static final Pattern LIST_ITEM = Pattern.compile(
            "(?im)^\\s*(?:[-*•]|\\d+[.)]|region\\s*\\d+\\s*[:.)-])\\s+(.+)$");
    private static final Pattern LIST_MARKER = Pattern.compile("(?i)^\\s*(?:[-*•]|\\d+[.)]|region\\s*\\d+\\s*[:.)-])\\s+");

    /** How many ratio-and-prompts pairs are read, from the last, before the answer is given up as unreadable. */
    static final int MAX_PROMPT_SECTIONS_TRIED = 8;

    private RpgAnswerParser() {}

    public static Result parse(String answer) {
        try {
            return parseOrExplain(answer);
        } catch (RuntimeException e) {  // a reader of model output must never take the planner down
            return new Unreadable("the answer could not be read (" + e.getMessage() + ")");
        }
    }

    private static Result parseOrExplain(String answer) {
        if (answer == null || answer.isBlank()) return new Unreadable("the answer is empty");
        String text = normalise(answer);
        List<Integer> ratioLabelEnds = RATIO_LABEL.matcher(text).results().map(MatchResult::end).toList();
        if (ratioLabelEnds.isEmpty()) return new Unreadable("the answer has no \"Final split ratio:\" line");
        // every label found once: searching again from each ratio label would be quadratic in repeated labels
        List<MatchResult> promptLabels = PROMPT_LABEL.matcher(text).results().toList();
        String firstProblem = null;
        int promptsRead = 0;
        int nextPrompt = promptLabels.size();
        // The final answer comes last; drafts and echoed examples come before it.
        for (int i = ratioLabelEnds.size() - 1; i >= 0; i--) {
            int ratioEnd = ratioLabelEnds.get(i);
            while (nextPrompt > 0 && promptLabels.get(nextPrompt - 1).start() >= ratioEnd) nextPrompt--;
            if (nextPrompt == promptLabels.size()) {
                if (firstProblem == null) firstProblem = "no \"Regional Prompt:\" follows the last \"Final split ratio:\"";
                continue;
            }
            MatchResult promptLabel = promptLabels.get(nextPrompt);
            List<String> notes = new ArrayList<>();
            SplitRatio ratio;
            try {
                ratio = readRatio(text, ratioEnd, promptLabel.start(), notes);
            } catch (AtelierException e) {
                if (firstProblem == null) firstProblem = e.getMessage();
                continue;
            }
            // each try reads the rest of the answer; a bounded number keeps the work linear in its length
            if (++promptsRead > MAX_PROMPT_SECTIONS_TRIED) break;
            if (i < ratioLabelEnds.size() - 1) notes.add("an earlier draft or echoed ratio was ignored in favour of the later one");
            List<String> prompts = readPrompts(text.substring(promptLabel.end()), notes);
            if (prompts.isEmpty()) {
                if (firstProblem == null) firstProblem = "the \"Regional Prompt:\" section is empty";
                continue;
            }
            if (i < ratioLabelEnds.size() - 1 && firstProblem != null) notes.add("the later answer was incomplete: " + firstProblem);
            return new Parsed(ratio, prompts, detailedPrompt(text), List.copyOf(notes));
        }
        return new Unreadable(firstProblem);
    }

    /** Markdown emphasis, back-ticks and heading marks carry no meaning here. */
    private static String normalise(String answer) {
        return answer.replace("\r\n", "\n").replace('\r', '\n')
                .replace("**", "").replace("__", "").replace("`", "")
                .replaceAll("(?m)^[ \\t]*#{1,6}[ \\t]*", "");
    }

    /** The ratio on the first non-blank line after the label (ending at {@code limit} at the latest). */
    private static SplitRatio readRatio(String text, int from, int limit, List<String> notes) {
        int lineStart = from;
        while (lineStart < limit && Character.isWhitespace(text.charAt(lineStart))) lineStart++;
        // the pattern stops at the line's end by itself: searching for it from each of many labels on one line
        // would be quadratic
        Matcher m = RATIO_CHARS.matcher(text).region(lineStart, limit);
        if (!m.lookingAt() || m.group(1).chars().noneMatch(Character::isDigit)) {
            int shown = lineStart;
            while (shown < limit && shown - lineStart <= 80 && text.charAt(shown) != '\n') shown++;
            throw new AtelierException("the split ratio \"" + shortened(text.substring(lineStart, shown).strip())
                    + "\" has no numbers");
        }
        String raw = m.group(1);
        String cleaned = trimChars(raw.replaceAll("[()\\[\\]]", "").replaceAll("[ \\t]+", ""), ",;.");
        if (!cleaned.equals(raw.strip())) notes.add("split ratio \"" + shortened(raw.strip()) + "\" read as \"" + shortened(cleaned) + "\"");
        return SplitRatio.parse(cleaned);
    }

    private static String shortened(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    /**
     * {@code s} without any of {@code chars} at either end. A regex like {@code [,;]+$} would be tried from every
     * character of a long run and take quadratic time.
     */
    static String trimChars(String s, String chars) {
        int start = 0;
        int end = s.length();
        while (start < end && chars.indexOf(s.charAt(start)) >= 0) start++;
        while (end > start && chars.indexOf(s.charAt(end - 1)) >= 0) end--;
        return s.substring(start, end);
    }

    private static List<String> readPrompts(String section, List<String> notes) {
        String body = section.strip();
        List<String> pieces = new ArrayList<>(List.of(BREAK.split(body, -1)));
        if (pieces.size() == 1) {
            List<String> items = listItems(endOfLastPrompt(body, notes));
            if (items.size() > 1) {
                notes.add("prompts were read from a list instead of BREAK separators");
                return items;
            }
        }
        int last = pieces.size() - 1;
        pieces.set(last, endOfLastPrompt(pieces.get(last), notes));
        List<String> prompts = new ArrayList<>();
        int empty = 0;
        for (String piece : pieces) {
            String p = clean(piece);
            if (p.isEmpty()) empty++;
            else prompts.add(p);
        }
        if (empty > 0) notes.add(empty + " empty piece(s) between BREAK separators were skipped");
        return prompts;
    }

    /** The last prompt ends at a blank line or at a line that starts an explanation. */
    private static String endOfLastPrompt(String piece, List<String> notes) {
        String trimmed = piece.stripLeading();
        int cut = trimmed.length();
        Matcher blank = BLANK_LINE.matcher(trimmed);
        if (blank.find()) cut = blank.start();
        // only before the blank line: there no line is blank, so the pattern's ^\\s* cannot run over many lines
        Matcher after = AFTERWORD.matcher(trimmed).region(0, cut).useTransparentBounds(true);
        if (after.find() && after.start() > 0 && after.start() < cut) cut = after.start();
        if (cut < trimmed.length() && !trimmed.substring(cut).isBlank()) {
            notes.add("text after the last region prompt was left out");
        }
        return trimmed.substring(0, cut);
    }

    private static List<String> listItems(String block) {
        List<String> items = new ArrayList<>();
        Matcher m = LIST_ITEM.matcher(block);
        while (m.find()) {
            String item = clean(m.group(1));
            if (!item.isEmpty()) items.add(item);
        }
        return items;
    }

    private static String clean(String piece) {
        String p = LIST_MARKER.matcher(piece.strip()).replaceFirst("");
        p = p.replaceAll("\\s+", " ").strip();
        if (p.length() >= 2 && (p.startsWith("\"") && p.endsWith("\"") || p.startsWith("'") && p.endsWith("'"))) {
            p = p.substring(1, p.length() - 1).strip();
        }
        return trimChars(p, ",;").strip();
    }

    private static String detailedPrompt(String text) {
        Matcher m = DETAILED_LABEL.matcher(text);
        String found = null;
        while (m.find()) found = m.group(1).strip();
        return found == null || found.isEmpty() ? null : found;
    }
}
