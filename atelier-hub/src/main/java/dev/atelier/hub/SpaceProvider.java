package dev.atelier.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many bytes can still be written under a folder; a seam so tests can pretend the disk is full. */
@FunctionalInterface
public interface SpaceProvider {
    long usableBytes(Path dir) throws IOException;

    /** The file store's usable space, measured at the nearest existing ancestor of {@code dir}. */
    SpaceProvider FILE_STORE = dir -> {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return Long.MAX_VALUE;
        return Files.getFileStore(existing).getUsableSpace();
    };
}
