package dev.atelier.assistant;

import dev.atelier.vision.clip.ImageTextEmbedder;
import java.awt.image.BufferedImage;

/** CLIP score as the seed papers report it: 100 · max(cosine(image, text), 0). */
final class ClipScores {
    private ClipScores() {}

    static double score(ImageTextEmbedder clip, BufferedImage image, String prompt) {
        double cosine = ImageTextEmbedder.similarity(clip.embedImage(image), clip.embedText(prompt));
        return 100 * Math.max(cosine, 0);
    }
}
