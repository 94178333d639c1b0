package dev.atelier.vision.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipScoreTest {

    @Test
    void emphasisMarkupIsRemovedBeforeScoring() {
        assertEquals("a red cat on a blue mat", ClipScore.plainText("a (red:1.3) cat on a [blue] mat"));
        assertEquals("a cat in a hat", ClipScore.plainText("a ((cat)) BREAK in a (hat: 0.8)"));
        assertEquals("ratio 16:9 (wide)", ClipScore.plainText("ratio 16:9 \\(wide\\)"));
        assertEquals("time 10:30", ClipScore.plainText("time 10:30"));
        assertEquals("plain words", ClipScore.plainText("  plain   words "));
    }

    @Test
    void scoreUsesThePlainPromptAgainstThePicture() {
        List<String> seen = new ArrayList<>();
        ImageTextEmbedder fake = new ImageTextEmbedder() {
            @Override public int dimension() { return 2; }
            @Override public String modelId() { return "fake"; }
            @Override public float[] embedText(String text) {
                seen.add(text);
                return new float[] {0.6f, 0.8f};
            }
            @Override public float[] embedImage(BufferedImage image) { return new float[] {1f, 0f}; }
            @Override public void close() { }
        };
        assertEquals(60.0, ClipScore.of(fake, new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "(red:1.2) fox"), 1e-5);
        assertEquals(List.of("red fox"), seen);
        // the interface's default batch methods keep order
        assertEquals(2, fake.embedTexts(List.of("a", "b")).size());
        assertEquals(List.of("red fox", "a", "b"), seen);
    }
}
