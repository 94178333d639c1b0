package dev.atelier.assistant;

import dev.atelier.library.LibraryMatch;
import dev.atelier.library.PictureLibrary;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** A picture library that returns given matches, best first, and remembers the queries. */
final class FixedLibrary implements PictureLibrary {
    private final List<LibraryMatch> matches;
    final List<String> queries = new ArrayList<>();

    FixedLibrary(List<LibraryMatch> matches) { this.matches = matches; }

    @Override
    public List<LibraryMatch> search(String query, int top) {
        queries.add(query);
        return matches.subList(0, Math.min(top, matches.size()));
    }

    @Override
    public List<LibraryMatch> searchSimilar(BufferedImage image, int top) { return search("(image)", top); }

    @Override public int size() { return matches.size(); }

    @Override public void close() { }
}
