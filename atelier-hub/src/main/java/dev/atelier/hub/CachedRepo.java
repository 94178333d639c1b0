package dev.atelier.hub;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One repository found in the hub cache.
 *
 * @param repoId     ORG/NAME
 * @param dir        its {@code models--ORG--NAME} folder
 * @param sizeBytes  bytes on disk (blobs, plus snapshot files that are copies rather than links)
 * @param refs       revision name → commit sha, from {@code refs/}
 * @param snapshots  commit shas that have a snapshot folder
 */
public record CachedRepo(String repoId, Path dir, long sizeBytes, Map<String, String> refs, List<String> snapshots) {}
