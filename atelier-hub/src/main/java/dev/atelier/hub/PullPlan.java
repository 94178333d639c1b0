package dev.atelier.hub;

import java.nio.file.Path;
import java.util.List;

/** What a pull will do, known before any content is fetched (so the size can be shown and the disk checked). */
public record PullPlan(RepoRef ref, String commit, GlobFilter include, List<PlannedFile> files, Path snapshotDir) {
    public PullPlan {
        files = List.copyOf(files);
    }

    public long totalBytes() { return files.stream().mapToLong(PlannedFile::size).sum(); }

    public long bytesToFetch() { return files.stream().mapToLong(PlannedFile::bytesToFetch).sum(); }

    public long filesToFetch() { return files.stream().filter(f -> f.state() == PlannedFile.State.DOWNLOAD).count(); }

    public boolean complete() { return files.stream().allMatch(f -> f.state() == PlannedFile.State.IN_SNAPSHOT); }
}
