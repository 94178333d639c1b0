package dev.atelier.hub;

import java.nio.file.Path;

/** The outcome of a pull: where the snapshot is and how much was transferred this time. */
public record PullResult(RepoRef ref, String commit, Path snapshotDir, int files, int filesDownloaded,
                         long bytesDownloaded, long totalBytes) {}
