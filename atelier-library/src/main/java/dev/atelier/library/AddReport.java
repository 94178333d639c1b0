package dev.atelier.library;

import java.nio.file.Path;
import java.util.List;

/**
 * What one {@code add} did. {@code added}: new paths; {@code changed}: known paths whose content changed;
 * {@code moved}: pictures found at a new path whose old file is gone (their embedding moved with them);
 * {@code unchanged}: same content as indexed; {@code removed}: entries whose file left the folders;
 * {@code embedded}: pictures that went through the model (copies and moves reuse an embedding).
 */
public record AddReport(int added, int changed, int moved, int unchanged, int removed, List<Failure> failed,
                        int embedded, int size) {

    public AddReport {
        failed = List.copyOf(failed);
    }

    /** A picture that was skipped, and why (one line naming it). */
    public record Failure(Path path, String reason) { }
}
