package dev.atelier.library;

import java.nio.file.Path;

/** One picture found in the library: where it is, how similar (cosine, -1…1), its caption and content hash. */
public record LibraryMatch(Path path, double score, String caption, String contentHash) { }
