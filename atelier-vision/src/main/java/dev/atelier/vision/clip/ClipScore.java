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

    /** The score of a picture against the prompt it was made from (prompts longer than 77 tokens are cut). */
    public static double of(ImageTextEmbedder clip, BufferedImage image, String prompt) {
        return fromCosine(ImageTextEmbedder.similarity(clip.embedImage(image), clip.embedText(prompt)));
    }
}
