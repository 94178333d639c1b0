package dev.atelier.vision.caption;

import java.awt.image.BufferedImage;

/** Describes a picture in a sentence: an in-process captioner, or a vision language model behind a server. */
public interface Captioner extends AutoCloseable {

    String caption(BufferedImage image);

    @Override
    default void close() { }
}
