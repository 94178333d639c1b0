package dev.atelier.hub;

/**
 * Progress of a pull, for a front end to render (the hub module itself never prints).
 * Calls come from the downloading thread, in order: pullStarted, then per file fileStarted, bytes…, fileFinished,
 * then pullFinished.
 */
public interface DownloadListener {
    /** The plan is known: how many files and bytes will be transferred. */
    default void pullStarted(PullPlan plan) {}

    /** A file starts; {@code alreadyHave} bytes come from an earlier interrupted download. */
    default void fileStarted(String path, long totalBytes, long alreadyHave) {}

    /** Bytes of the current file now on disk (including any resumed part). */
    default void fileProgress(String path, long bytesDone, long totalBytes) {}

    /** The file is verified and in place. */
    default void fileFinished(String path, long totalBytes) {}

    /** Everything is in place; {@code downloadedBytes} were transferred in this run. */
    default void pullFinished(PullResult result) {}

    DownloadListener NONE = new DownloadListener() {};
}
