package dev.atelier.vision.clip;

import java.awt.image.BufferedImage;

/**
 * CLIP score as text-to-image papers report it (Hessel et al.'s CLIPScore with weight 100, as in torchmetrics):
 * {@code 100 · max(cos(image, prompt), 0)}, from 0 (unrelated) to 100. Typical Stable Diffusion pictures score
 * around 30 with ViT-L/14; the value depends on the CLIP model, so compare scores of one model only.
 */
public final class ClipScore {
    private ClipScore() {}

    /** The score of a cosine similarity. */
    public static double fromCosine(double cosine) {
        if (Double.isNaN(cosine)) throw new IllegalArgumentException("cosine is NaN");
        return 100 * Math.max(cosine, 0);
    }

    /**
     * The score of a picture against the prompt it was made from. Emphasis markup is removed first
     * ({@link #plainText}); prompts longer than 77 tokens are cut, as CLIP's context is.
     */
    public static double of(ImageTextEmbedder clip, BufferedImage image, String prompt) {
        return fromCosine(ImageTextEmbedder.similarity(clip.embedImage(image), clip.embedText(plainText(prompt))));
    }

    /**
     * A prompt without A1111 emphasis markup, as a reader would say it: {@code (word:1.3)}, {@code (word)} and
     * {@code [word]} become {@code word}, {@code BREAK} a space, and {@code \(} a literal parenthesis.
     */
    public static String plainText(String prompt) {
        StringBuilder out = new StringBuilder(prompt.length());
        for (int i = 0; i < prompt.length(); i++) {
            char c = prompt.charAt(i);
            if (c == '\\' && i + 1 < prompt.length() && "()[]\\".indexOf(prompt.charAt(i + 1)) >= 0) {
                out.append(prompt.charAt(++i));
            } else if (c == ':') {
                int close = weightEnd(prompt, i + 1);
                if (close < 0) out.append(c);
                else i = close; // the weight and its closing parenthesis go
            } else if ("()[]".indexOf(c) < 0) {
                out.append(c);
            }
        }
        return out.toString().replaceAll("\\bBREAK\\b", " ").replaceAll("\\s+", " ").strip();
    }

    /** Index of the ')' closing a weight such as {@code 1.3)} starting at {@code from}, or −1 when there is none. */
    private static int weightEnd(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) == ' ') i++;
        int digits = i;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) i++;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
        if (i == digits || !s.substring(digits, i).matches("[-+]?\\d*\\.?\\d+")) return -1;
        while (i < s.length() && s.charAt(i) == ' ') i++;
        return i < s.length() && s.charAt(i) == ')' ? i : -1;
    }
}
