package dev.atelier.hub;

/**
 * One file of a pull.
 *
 * @param path         path inside the repository
 * @param size         bytes
 * @param metadata     what the hub said about it; null when the snapshot already held it (no request was made)
 * @param state        what has to happen
 * @param resumeFrom   bytes already in {@code blobs/ETAG.incomplete}
 */
public record PlannedFile(String path, long size, FileMetadata metadata, State state, long resumeFrom) {
    public enum State {
        /** The snapshot already has the file. */
        IN_SNAPSHOT,
        /** The blob is cached (e.g. shared with another revision); only the snapshot link is missing. */
        BLOB_CACHED,
        /** Bytes must be fetched. */
        DOWNLOAD
    }

    public long bytesToFetch() { return state == State.DOWNLOAD ? size - resumeFrom : 0; }
}
