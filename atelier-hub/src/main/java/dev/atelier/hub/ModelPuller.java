package dev.atelier.hub;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls repository files into the hub cache the way huggingface_hub's snapshot download does: list the files at the
 * revision, resolve each at the listed commit, download missing blobs (resuming {@code .incomplete} files), verify
 * them, move them into {@code blobs/} atomically, link them into {@code snapshots/COMMIT/} and record
 * {@code refs/REVISION}.
 */
public final class ModelPuller {
    private static final Logger log = LoggerFactory.getLogger(ModelPuller.class);
    static final int DEFAULT_ATTEMPTS = 3;

    private final HubClient client;
    private final HubCache cache;
    private final SpaceProvider space;
    private final int maxAttempts;

    public ModelPuller(HubSettings settings) {
        this(new HubClient(settings), new HubCache(settings.cacheDir()), SpaceProvider.FILE_STORE, DEFAULT_ATTEMPTS);
    }

    public ModelPuller(HubClient client, HubCache cache, SpaceProvider space, int maxAttempts) {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
        this.client = client;
        this.cache = cache;
        this.space = space;
        this.maxAttempts = maxAttempts;
    }

    public HubCache cache() { return cache; }

    public HubSettings settings() { return client.settings(); }

    /** Pulls and returns where the snapshot is. */
    public PullResult pull(RepoRef ref, GlobFilter include, DownloadListener listener) {
        return execute(plan(ref, include), listener);
    }

    /** Asks the hub what the pull involves; files already in the snapshot cost no request. */
    public PullPlan plan(RepoRef ref, GlobFilter include) {
        return plan(ref, include, false);
    }

    /**
     * As {@link #plan(RepoRef, GlobFilter)}; with {@code verifyCached} every cached file is checked against the hub's
     * checksum too (reads every byte), and a damaged one is deleted and planned for download again.
     */
    public PullPlan plan(RepoRef ref, GlobFilter include, boolean verifyCached) {
        if (client.settings().offline()) {
            throw new AtelierException("HF_HUB_OFFLINE is set, so " + ref + " cannot be downloaded; unset it to pull, "
                    + "or use a model that is already in the cache (`atelier models list`).");
        }
        RepoListing listing = client.listFiles(ref);
        List<String> wanted = listing.files().stream().filter(include).toList();
        if (wanted.isEmpty()) {
            String sample = String.join(", ", listing.files().stream().limit(12).toList());
            throw new AtelierException("No file in " + ref + " matches --include " + include + ". The repository has: "
                    + (sample.isEmpty() ? "no files" : sample) + (listing.files().size() > 12 ? ", …" : "") + ".");
        }
        String commit = listing.commit();
        List<PlannedFile> files = new ArrayList<>();
        for (String path : wanted) {
            Path pointer = cache.snapshotFile(ref.repoId(), commit, path);
            if (!verifyCached && Files.isRegularFile(pointer)) {
                files.add(new PlannedFile(path, size(pointer), null, PlannedFile.State.IN_SNAPSHOT, 0));
                continue;
            }
            FileMetadata meta = client.fileMetadata(ref.repoId(), commit, path);
            if (!meta.commit().equals(commit)) {
                log.warn("{}: listing said commit {}, file {} resolved at {}", ref, commit, path, meta.commit());
            }
            Path blob = cache.blobPath(ref.repoId(), meta.etag());
            if (verifyCached && Files.isRegularFile(blob) && !verifiedQuietly(blob, meta)) {
                log.warn("{}: cached {} does not match its checksum; fetching it again", ref, path);
                delete(blob);
                delete(pointer);
            }
            if (verifyCached && Files.isRegularFile(pointer) && !Files.isSymbolicLink(pointer)
                    && !verifiedQuietly(pointer, meta)) {
                delete(pointer); // a damaged copy (file systems without links)
            }
            if (verifyCached && Files.isRegularFile(pointer) && Files.isRegularFile(blob)) {
                files.add(new PlannedFile(path, meta.size(), meta, PlannedFile.State.IN_SNAPSHOT, 0));
            } else if (Files.isRegularFile(blob) && size(blob) == meta.size()) {
                files.add(new PlannedFile(path, meta.size(), meta, PlannedFile.State.BLOB_CACHED, 0));
            } else {
                Path partial = cache.incompletePath(ref.repoId(), meta.etag());
                long have = Files.isRegularFile(partial) ? Math.min(size(partial), meta.size()) : 0;
                files.add(new PlannedFile(path, meta.size(), meta, PlannedFile.State.DOWNLOAD, have));
            }
        }
        return new PullPlan(ref, commit, include, files, cache.snapshotDir(ref.repoId(), commit));
    }

    private void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new AtelierException("Cannot delete the damaged file " + file + ": " + HubErrors.describe(e)
                    + ". Check the permissions of " + cache.root() + ".", e);
        }
    }

    private static boolean verifiedQuietly(Path file, FileMetadata meta) {
        try {
            return Files.size(file) == meta.size() && verify(file, meta);
        } catch (IOException e) {
            return false;
        }
    }

    /** Checks the disk, then fetches what the plan says is missing. */
    public PullResult execute(PullPlan plan, DownloadListener listener) {
        checkDiskSpace(plan);
        listener.pullStarted(plan);
        String repoId = plan.ref().repoId();
        int downloaded = 0;
        long bytes = 0;
        try {
            for (PlannedFile file : plan.files()) {
                switch (file.state()) {
                    case IN_SNAPSHOT -> {
                        listener.fileStarted(file.path(), file.size(), file.size());
                        listener.fileFinished(file.path(), file.size());
                    }
                    case BLOB_CACHED -> {
                        listener.fileStarted(file.path(), file.size(), file.size());
                        cache.linkIntoSnapshot(repoId, plan.commit(), file.path(), file.metadata().etag());
                        listener.fileFinished(file.path(), file.size());
                    }
                    case DOWNLOAD -> {
                        bytes += fetchBlobLocked(plan, file, listener);
                        downloaded++;
                        cache.linkIntoSnapshot(repoId, plan.commit(), file.path(), file.metadata().etag());
                        listener.fileFinished(file.path(), file.size());
                    }
                }
            }
            cache.writeRef(repoId, plan.ref().revision(), plan.commit());
        } catch (IOException e) {
            throw new AtelierException("Cannot write to the model cache at " + cache.root() + ": "
                    + HubErrors.describe(e) + ". Check free space and permissions, or set HF_HUB_CACHE to another "
                    + "folder.", e);
        }
        PullResult result = new PullResult(plan.ref(), plan.commit(), plan.snapshotDir(), plan.files().size(),
                downloaded, bytes, plan.totalBytes());
        listener.pullFinished(result);
        return result;
    }

    private void checkDiskSpace(PullPlan plan) {
        long needed = plan.bytesToFetch();
        if (needed <= 0) return;
        long usable;
        try {
            usable = space.usableBytes(cache.root());
        } catch (IOException e) {
            log.debug("cannot measure free space at {}: {}", cache.root(), e.toString());
            return;
        }
        if (usable < needed) {
            throw new AtelierException("Not enough disk space for " + plan.ref() + ": it needs "
                    + ByteSizes.format(needed) + " but only " + ByteSizes.format(usable) + " is free at "
                    + cache.root() + ". Free some space (`atelier models list` / `atelier models rm REPO`) or set "
                    + "HF_HUB_CACHE to a folder on a larger disk.");
        }
    }

    /**
     * Another Atelier process may be fetching the same blob: hold a lock next to the cache (as huggingface_hub keeps
     * its own under {@code .locks/}) so the two never append to one {@code .incomplete} file.
     */
    private long fetchBlobLocked(PullPlan plan, PlannedFile file, DownloadListener listener) throws IOException {
        String repoId = plan.ref().repoId();
        Path lock = cache.root().resolve(".locks").resolve(plan.ref().cacheFolderName())
                .resolve(file.metadata().etag() + ".atelier.lock");
        Files.createDirectories(lock.getParent());
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = channel.lock();
            try {
                Path blob = cache.blobPath(repoId, file.metadata().etag());
                if (Files.isRegularFile(blob) && size(blob) == file.size()) {
                    return 0; // another process finished it while we waited
                }
                return fetchBlob(plan, file, listener);
            } finally {
                held.release();
            }
        }
    }

    /** Downloads one blob with retries; returns the bytes transferred. */
    private long fetchBlob(PullPlan plan, PlannedFile file, DownloadListener listener) throws IOException {
        String repoId = plan.ref().repoId();
        FileMetadata meta = file.metadata();
        Path partial = cache.incompletePath(repoId, meta.etag());
        Path blob = cache.blobPath(repoId, meta.etag());
        Files.createDirectories(partial.getParent());
        long transferred = 0;
        int networkFailures = 0;
        boolean corruptedOnce = false;
        while (true) {
            long start = Files.exists(partial) ? size(partial) : 0;
            if (start > meta.size()) {
                Files.delete(partial); // longer than the file can be: not ours to resume
                start = 0;
            }
            listener.fileStarted(file.path(), meta.size(), start);
            try {
                if (start < meta.size()) {
                    client.download(repoId, plan.commit(), file.path(), meta, partial,
                            done -> listener.fileProgress(file.path(), done, meta.size()));
                } else if (!Files.exists(partial)) {
                    Files.createFile(partial); // an empty file
                }
                if (size(partial) < meta.size()) {
                    throw new IOException("the connection ended after " + size(partial) + " bytes");
                }
            } catch (IOException e) {
                long now = Files.exists(partial) ? size(partial) : 0;
                transferred += Math.max(0, now - start);
                networkFailures++;
                log.info("download of {} interrupted at {} of {} bytes (attempt {}/{}): {}", file.path(), now,
                        meta.size(), networkFailures, maxAttempts, e.toString());
                if (networkFailures >= maxAttempts) {
                    throw new AtelierException("Downloading " + file.path() + " of " + plan.ref() + " failed after "
                            + maxAttempts + " attempts (" + HubErrors.describe(e) + "). " + ByteSizes.format(now)
                            + " of " + ByteSizes.format(meta.size())
                            + " are kept; run the same command again to resume.", e);
                }
                continue;
            }
            long got = size(partial);
            transferred += Math.max(0, got - start);
            if (got == meta.size() && verify(partial, meta)) {
                HubCache.moveAtomically(partial, blob);
                return transferred;
            }
            log.warn("{} failed verification ({} of {} bytes, etag {}), fetching it again", file.path(), got,
                    meta.size(), meta.etag());
            Files.deleteIfExists(partial);
            if (corruptedOnce) {
                throw new AtelierException(file.path() + " of " + plan.ref() + " arrived corrupted twice (its "
                        + (meta.isSha256() ? "SHA-256" : "checksum") + " does not match the hub's " + meta.etag()
                        + "). Try again later; if it keeps failing, a proxy may be altering downloads.");
            }
            corruptedOnce = true;
        }
    }

    /** LFS files carry their SHA-256 as etag, plain files their git blob sha1; other etags cannot be checked. */
    static boolean verify(Path file, FileMetadata meta) throws IOException {
        if (meta.isSha256()) return meta.etag().equals(digest(file, "SHA-256", null));
        if (meta.isGitSha1()) {
            byte[] header = ("blob " + Files.size(file) + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            return meta.etag().equals(digest(file, "SHA-1", header));
        }
        return true;
    }

    static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (prefix != null) md.update(prefix);
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
