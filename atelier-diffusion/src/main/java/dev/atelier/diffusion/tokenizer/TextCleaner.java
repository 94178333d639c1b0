package dev.atelier.diffusion.tokenizer;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The clean-up Hugging Face's CLIPTokenizer does when ftfy is not installed (its BasicTokenizer with
 * punctuation splitting and accent stripping off): drop NUL, U+FFFD and every "C*" category character except
 * tab/CR/LF, turn whitespace into spaces, put spaces around CJK ideographs, NFC-normalise, split on whitespace,
 * lower-case each word and join with single spaces.
 */
final class TextCleaner {

    private TextCleaner() {}

    static String clean(String text) {
        StringBuilder spaced = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) return;
            if (isWhitespace(cp)) {
                spaced.append(' ');
            } else if (isCjkIdeograph(cp)) {
                spaced.append(' ').appendCodePoint(cp).append(' ');
            } else {
                spaced.appendCodePoint(cp);
            }
        });
        String normalized = Normalizer.normalize(spaced, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(normalized.length());
        int i = 0;
        int n = normalized.length();
        while (i < n) {
            while (i < n && isPythonSpace(normalized.codePointAt(i))) i += Character.charCount(normalized.codePointAt(i));
            int start = i;
            while (i < n && !isPythonSpace(normalized.codePointAt(i))) i += Character.charCount(normalized.codePointAt(i));
            if (i > start) {
                if (!out.isEmpty()) out.append(' ');
                out.append(lowerCase(normalized.substring(start, i)));
            }
        }
        return out.toString();
    }

    /**
     * Python's str.lower(): Java's root-locale mapping, except that capital sigma follows Python's Final_Sigma test
     * (a cased letter before it and none after it, skipping case-ignorable characters), where Java uses word breaks.
     */
    static String lowerCase(String word) {
        if (word.indexOf(CAPITAL_SIGMA) < 0) return word.toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(word.length());
        int i = 0;
        while (i < word.length()) {
            int cp = word.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (cp == CAPITAL_SIGMA) {
                out.append(isFinalSigma(word, i) ? 'ς' : 'σ');
            } else {
                out.append(word.substring(i, next).toLowerCase(Locale.ROOT));
            }
            i = next;
        }
        return out.toString();
    }

    private static final char CAPITAL_SIGMA = 'Σ';

    private static boolean isFinalSigma(String word, int at) {
        int j = at;
        int before = -1;
        while (j > 0) {
            int cp = word.codePointBefore(j);
            j -= Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                before = cp;
                break;
            }
        }
        if (before < 0 || !isCased(before)) return false;
        j = at + 1;
        while (j < word.length()) {
            int cp = word.codePointAt(j);
            if (!isCaseIgnorable(cp)) return !isCased(cp);
            j += Character.charCount(cp);
        }
        return true;
    }

    private static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /** Unicode Case_Ignorable: Mn, Me, Cf, Lm, Sk and the word-break MidLetter/MidNumLet/Single_Quote characters. */
    private static boolean isCaseIgnorable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.MODIFIER_LETTER,
                 Character.MODIFIER_SYMBOL -> true;
            default -> switch (cp) {
                case '\'', '.', ':', 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55,
                     0xFF07, 0xFF0E, 0xFF1A -> true;
                default -> false;
            };
        };
    }

    /** Python's unicodedata category starting with "C", except tab, newline and carriage return. */
    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') return false;
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    private static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** Python's str.isspace(), which str.split() uses. */
    private static boolean isPythonSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    private static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
