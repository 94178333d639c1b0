package dev.atelier.library;

import dev.atelier.testkit.vision.ToyClip;
import dev.atelier.vision.clip.ImageTextEmbedder;
import dev.atelier.vision.clip.OnnxClipModel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a CLIP model to count the pictures it embeds, optionally slow each one down (so a child process can be
 * killed mid-add) or claim another model id.
 */
final class CountingEmbedder implements ImageTextEmbedder {
    final AtomicInteger imagesEmbedded = new AtomicInteger();
    private final ImageTextEmbedder model;
    private final String modelId;
    private final long delayMillis;

    CountingEmbedder(ImageTextEmbedder model, String modelId, long delayMillis) {
        this.model = model;
        this.modelId = modelId;
        this.delayMillis = delayMillis;
    }

    /** The analytic toy CLIP export (written into {@code dir} if not there yet) on ONNX Runtime. */
    static CountingEmbedder toyClip(Path dir) {
        return toyClip(dir, null, 0);
    }

    static CountingEmbedder toyClip(Path dir, String modelId, long delayMillis) {
        if (!dir.resolve("text_model.onnx").toFile().exists()) ToyClip.write(dir, ToyClip.Layout.SPLIT);
        return new CountingEmbedder(OnnxClipModel.open(dir), modelId, delayMillis);
    }

    @Override public int dimension() { return model.dimension(); }

    @Override public String modelId() { return modelId != null ? modelId : model.modelId(); }

    @Override public float[] embedText(String text) { return model.embedText(text); }

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
        return model.embedImage(image);
    }

    @Override public void close() { model.close(); }
}
