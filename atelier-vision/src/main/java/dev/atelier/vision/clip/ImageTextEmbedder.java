package dev.atelier.vision.clip;

import java.awt.image.BufferedImage;

/**
 * Text and pictures in one embedding space (CLIP): the seam the picture library, retrieve-or-generate and the
 * CLIP score rely on. Embeddings are L2-normalised, so a dot product is the cosine similarity.
 */
public interface ImageTextEmbedder extends AutoCloseable {

    /** Length of every embedding this model returns. */
    int dimension();

    /** Identifies the model (name and content), so an index can tell embeddings of another model apart. */
    String modelId();

    float[] embedText(String text);

    float[] embedImage(BufferedImage image);

    /** Embeddings of several texts, in order; engines override this to run them in batches. */
    default java.util.List<float[]> embedTexts(java.util.List<String> texts) {
        return texts.stream().map(this::embedText).toList();
    }

    /** Embeddings of several pictures, in order; engines override this to run them in batches. */
    default java.util.List<float[]> embedImages(java.util.List<BufferedImage> images) {
        return images.stream().map(this::embedImage).toList();
    }

    /** Cosine similarity of two normalised embeddings. */
    static double similarity(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("embeddings of " + a.length + " and " + b.length + " values");
        double dot = 0;
        for (int i = 0; i < a.length; i++) dot += (double) a[i] * b[i];
        return dot;
    }

    @Override
    void close();
}
