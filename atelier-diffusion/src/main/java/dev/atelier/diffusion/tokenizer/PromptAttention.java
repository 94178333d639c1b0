package dev.atelier.diffusion.tokenizer;

import dev.atelier.core.AtelierException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's emphasis parser: {@code (text)} ×1.1, {@code [text]} ÷1.1, {@code (text:w)} ×w, backslash escapes for
 * brackets and backslash, unclosed brackets apply to the end, {@code BREAK} starts a new chunk. Adjacent pieces with
 * equal weight are joined (so they are tokenized together, as in A1111). One deliberate difference: A1111 marks a
 * break by the weight −1, so a BREAK inside brackets becomes the word "break" with a negative weight; here a break is
 * a break wherever it stands.
 */
final class PromptAttention {

    /** A piece of prompt text and its weight, or a chunk break. */
    record Segment(String text, double weight, boolean isBreak) {}

    private static final String BREAK = "BREAK";
    private static final double ROUND_MULTIPLIER = 1.1;
    private static final double SQUARE_MULTIPLIER = 1 / 1.1;

    private static final Pattern ATTENTION = Pattern.compile(
            "\\\\\\(|\\\\\\)|\\\\\\[|\\\\]|\\\\\\\\|\\\\|\\(|\\[|:\\s*([+-]?[.\\d]+)\\s*\\)|\\)|]|[^\\\\()\\[\\]:]+|:",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern BREAK_PATTERN = Pattern.compile("\\s*\\bBREAK\\b\\s*",
            Pattern.UNICODE_CHARACTER_CLASS | Pattern.DOTALL);

    private PromptAttention() {}

    static List<Segment> parse(String prompt) {
        List<String> texts = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        List<Boolean> breaks = new ArrayList<>();
        List<Integer> roundOpen = new ArrayList<>();
        List<Integer> squareOpen = new ArrayList<>();

        Matcher m = ATTENTION.matcher(prompt);
        while (m.find()) {
            String token = m.group();
            String weight = m.group(1);
            if (token.startsWith("\\")) {
                texts.add(token.substring(1));
                weights.add(1.0);
                breaks.add(false);
            } else if (token.equals("(")) {
                roundOpen.add(texts.size());
            } else if (token.equals("[")) {
                squareOpen.add(texts.size());
            } else if (weight != null && !roundOpen.isEmpty()) {
                multiplyFrom(weights, roundOpen.removeLast(), parseWeight(weight, prompt));
            } else if (token.equals(")") && !roundOpen.isEmpty()) {
                multiplyFrom(weights, roundOpen.removeLast(), ROUND_MULTIPLIER);
            } else if (token.equals("]") && !squareOpen.isEmpty()) {
                multiplyFrom(weights, squareOpen.removeLast(), SQUARE_MULTIPLIER);
            } else {
                String[] parts = BREAK_PATTERN.split(token, -1);
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        texts.add(BREAK);
                        weights.add(1.0);
                        breaks.add(true);
                    }
                    texts.add(parts[i]);
                    weights.add(1.0);
                    breaks.add(false);
                }
            }
        }
        for (int start : roundOpen) multiplyFrom(weights, start, ROUND_MULTIPLIER);
        for (int start : squareOpen) multiplyFrom(weights, start, SQUARE_MULTIPLIER);

        if (texts.isEmpty()) {
            texts.add("");
            weights.add(1.0);
            breaks.add(false);
        }
        int i = 0;
        while (i + 1 < texts.size()) {
            if (!breaks.get(i) && !breaks.get(i + 1)
                    && weights.get(i).doubleValue() == weights.get(i + 1).doubleValue()) {
                texts.set(i, texts.get(i) + texts.get(i + 1));
                texts.remove(i + 1);
                weights.remove(i + 1);
                breaks.remove(i + 1);
            } else {
                i++;
            }
        }
        List<Segment> segments = new ArrayList<>(texts.size());
        for (int k = 0; k < texts.size(); k++) segments.add(new Segment(texts.get(k), weights.get(k), breaks.get(k)));
        return segments;
    }

    private static void multiplyFrom(List<Double> weights, int start, double multiplier) {
        for (int p = start; p < weights.size(); p++) weights.set(p, weights.get(p) * multiplier);
    }

    private static double parseWeight(String weight, String prompt) {
        StringBuilder ascii = new StringBuilder(weight.length());
        for (int i = 0; i < weight.length(); i++) {
            char c = weight.charAt(i);
            ascii.append(Character.isDigit(c) ? (char) ('0' + Character.digit(c, 10)) : c);
        }
        try {
            return Double.parseDouble(ascii.toString());
        } catch (NumberFormatException e) {
            throw new AtelierException("The emphasis weight \"" + weight + "\" in the prompt \"" + prompt
                    + "\" is not a number. Write weights like (word:1.3).");
        }
    }
}
