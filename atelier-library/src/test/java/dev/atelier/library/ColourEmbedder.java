package dev.atelier.library;

import dev.atelier.vision.clip.ImageTextEmbedder;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain-Java CLIP stand-in with closed-form similarities: a picture's embedding is its mean RGB colour, a text's
 * the sum of its colour words' RGB vectors, both normalised. Counts the pictures it embeds.
 */
final class ColourEmbedder implements ImageTextEmbedder {
    static final Map<String, float[]> WORDS = Map.of(
            "red", new float[] {1, 0, 0}, "green", new float[] {0, 1, 0}, "blue", new float[] {0, 0, 1},
            "yellow", new float[] {1, 1, 0}, "cyan", new float[] {0, 1, 1}, "magenta", new float[] {1, 0, 1},
            "white", new float[] {1, 1, 1}, "grey", new float[] {1, 1, 1});

    final AtomicInteger imagesEmbedded = new AtomicInteger();
    private final String modelId;
    private final long delayMillis;

    ColourEmbedder() { this("colour-toy", 0); }

    ColourEmbedder(String modelId, long delayMillis) {
        this.modelId = modelId;
        this.delayMillis = delayMillis;
    }

    @Override public int dimension() { return 3; }

    @Override public String modelId() { return modelId; }

    @Override
    public float[] embedText(String text) {
        float[] sum = new float[3];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
            float[] v = WORDS.get(word);
            if (v != null) for (int i = 0; i < 3; i++) sum[i] += v[i];
        }
        return normalise(sum);
    }

    @Override
    public float[] embedImage(BufferedImage image) {
        imagesEmbedded.incrementAndGet();
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        double[] mean = new double[3];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                mean[0] += (rgb >> 16) & 0xff;
                mean[1] += (rgb >> 8) & 0xff;
                mean[2] += rgb & 0xff;
            }
        }
        return normalise(new float[] {(float) mean[0], (float) mean[1], (float) mean[2]});
    }

    static float[] normalise(float[] v) {
        double norm = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        return norm == 0 ? v : new float[] {(float) (v[0] / norm), (float) (v[1] / norm), (float) (v[2] / norm)};
    }

    @Override public void close() { }
}
