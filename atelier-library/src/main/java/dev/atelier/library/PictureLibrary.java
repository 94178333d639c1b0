package dev.atelier.library;

import java.awt.image.BufferedImage;
import java.util.List;

/** Pictures indexed by their CLIP embeddings, searched by words or by a picture; best match first. */
public interface PictureLibrary extends AutoCloseable {

    List<LibraryMatch> search(String query, int top);

    List<LibraryMatch> searchSimilar(BufferedImage image, int top);

    /** Number of pictures indexed. */
    int size();

    @Override
    void close();
}
