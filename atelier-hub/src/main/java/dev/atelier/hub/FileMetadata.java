package dev.atelier.hub;

import java.net.URI;
import java.util.Optional;

/**
 * What a HEAD on a {@code resolve} URL tells about one file.
 *
 * @param commit    X-Repo-Commit: the commit the revision resolved to
 * @param etag      X-Linked-Etag for LFS files (the SHA-256 of the content), else ETag (the git blob sha1)
 * @param size      X-Linked-Size, else Content-Length
 * @param location  where the content is served (the CDN for LFS files), when the hub redirected
 */
public record FileMetadata(String commit, String etag, long size, Optional<URI> location) {
    /** LFS files are named by their SHA-256: 64 hex digits. */
    public boolean isSha256() { return etag.matches("[0-9a-f]{64}"); }

    /** Plain git files are named by their git blob sha1: 40 hex digits. */
    public boolean isGitSha1() { return etag.matches("[0-9a-f]{40}"); }
}
