package dev.atelier.assistant;

import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.vision.clip.ImageTextEmbedder;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * An analytic CLIP for tests: a text's embedding is the sum of its colour words' RGB (the toy pipeline's colours),
 * a picture's is its mean colour in [-1, 1]; both normalised. A picture painted in a prompt's colour scores 100.
 */
final class ColourClip implements ImageTextEmbedder {
    @Override public int dimension() { return 3; }

    @Override public String modelId() { return "colour-clip"; }

    @Override
    public float[] embedText(String text) {
        float[] v = new float[3];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
            float[] c = ToyPipeline.COLOURS.get(word);
            if (c != null) for (int i = 0; i < 3; i++) v[i] += c[i];
        }
        return normalised(v);
    }

    @Override
    public float[] embedImage(BufferedImage image) {
        double[] sum = new double[3];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                for (int c = 0; c < 3; c++) sum[c] += ((p >> (16 - 8 * c)) & 0xff) / 127.5 - 1;
            }
        }
        float[] v = new float[3];
        for (int c = 0; c < 3; c++) v[c] = (float) (sum[c] / (image.getWidth() * image.getHeight()));
        return normalised(v);
    }

    static float[] normalised(float[] v) {
        double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (n == 0) return v;
        return new float[] {(float) (v[0] / n), (float) (v[1] / n), (float) (v[2] / n)};
    }

    @Override public void close() { }
}
