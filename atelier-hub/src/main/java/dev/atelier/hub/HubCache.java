package dev.atelier.hub;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hugging Face hub cache on disk, in huggingface_hub's layout so Python tools and Atelier share downloads:
 * <pre>
 * models--ORG--NAME/
 *   blobs/ETAG                      file contents, named by their hub etag (sha256 for LFS files)
 *   blobs/ETAG.incomplete           a download in progress
 *   snapshots/COMMIT/PATH           relative symlinks to ../../blobs/ETAG (copies where links are not possible)
 *   refs/REVISION                   the commit sha that REVISION (e.g. main) pointed to
 * </pre>
 */
public final class HubCache {
    private static final Logger log = LoggerFactory.getLogger(HubCache.class);
    private static final String REPO_PREFIX = "models--";
    private static final Pattern SAFE_ETAG = Pattern.compile("[A-Za-z0-9_\\-]{1,128}");
    static final String INCOMPLETE_SUFFIX = ".incomplete";

    private final Path root;
    private final boolean useSymlinks;

    public HubCache(Path root) { this(root, true); }

    /** {@code useSymlinks = false} forces the copy fallback (tests; file systems without links). */
    public HubCache(Path root, boolean useSymlinks) {
        this.root = root.toAbsolutePath().normalize();
        this.useSymlinks = useSymlinks;
    }

    public Path root() { return root; }

    public Path repoDir(String repoId) { return root.resolve(RepoRef.cacheFolderName(repoId)); }

    public Path blobPath(String repoId, String etag) {
        if (!SAFE_ETAG.matcher(etag).matches()) {
            throw new AtelierException("The hub sent an unusable file id '" + etag + "' for " + repoId
                    + "; check HF_ENDPOINT points at a Hugging Face hub.");
        }
        return repoDir(repoId).resolve("blobs").resolve(etag);
    }

    public Path incompletePath(String repoId, String etag) {
        Path blob = blobPath(repoId, etag);
        return blob.resolveSibling(blob.getFileName() + INCOMPLETE_SUFFIX);
    }

    public Path snapshotDir(String repoId, String commit) {
        return repoDir(repoId).resolve("snapshots").resolve(commit);
    }

    /** Where a repository file appears in a snapshot; rejects paths that would escape it. */
    public Path snapshotFile(String repoId, String commit, String relativePath) {
        Path dir = snapshotDir(repoId, commit);
        Path file = dir.resolve(relativePath).normalize();
        if (!file.startsWith(dir) || file.equals(dir) || relativePath.startsWith("/")) {
            throw new AtelierException("The hub listed an unsafe file path '" + relativePath + "' in " + repoId
                    + "; refusing to write outside the cache.");
        }
        return file;
    }

    public Optional<String> readRef(String repoId, String revision) {
        Path ref = refPath(repoId, revision);
        try {
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref).strip()).filter(s -> !s.isEmpty())
                    : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void writeRef(String repoId, String revision, String commit) throws IOException {
        if (revision.equals(commit)) return;
        Path ref = refPath(repoId, revision);
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling(ref.getFileName() + ".tmp");
        Files.writeString(tmp, commit);
        moveAtomically(tmp, ref);
    }

    private Path refPath(String repoId, String revision) {
        Path refs = repoDir(repoId).resolve("refs");
        Path ref = refs.resolve(revision).normalize();
        if (!ref.startsWith(refs) || ref.equals(refs)) {
            throw new AtelierException("'" + revision + "' is not a usable revision name.");
        }
        return ref;
    }

    /** The commit a revision stands for: itself when it is a commit sha, else what {@code refs/} recorded. */
    public Optional<String> commitFor(String repoId, String revision) {
        if (RepoRef.isCommitSha(revision)) return Optional.of(revision);
        return readRef(repoId, revision);
    }

    /** The snapshot folder for repo@revision, found without the network. */
    public Optional<Path> findSnapshot(String repoId, String revision) {
        return commitFor(repoId, revision).map(c -> snapshotDir(repoId, c)).filter(Files::isDirectory);
    }

    /** Puts a blob into a snapshot as a relative link, or as a copy where links cannot be made. */
    public void linkIntoSnapshot(String repoId, String commit, String relativePath, String etag) throws IOException {
        Path pointer = snapshotFile(repoId, commit, relativePath);
        Path blob = blobPath(repoId, etag);
        Files.createDirectories(pointer.getParent());
        Files.deleteIfExists(pointer);
        if (useSymlinks) {
            try {
                Files.createSymbolicLink(pointer, pointer.getParent().relativize(blob));
                return;
            } catch (UnsupportedOperationException | IOException e) {
                log.debug("cannot link {} -> {}, copying instead: {}", pointer, blob, e.toString());
            }
        }
        Path tmp = pointer.resolveSibling(pointer.getFileName() + ".tmp");
        Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
        moveAtomically(tmp, pointer);
    }

    /** Every repository in the cache, sorted by id. */
    public List<CachedRepo> listRepos() {
        if (!Files.isDirectory(root)) return List.of();
        List<CachedRepo> repos = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(REPO_PREFIX) || !Files.isDirectory(dir)) continue;
                String repoId = name.substring(REPO_PREFIX.length()).replace("--", "/");
                repos.add(new CachedRepo(repoId, dir, sizeOnDisk(dir), refs(dir), snapshots(dir)));
            }
        } catch (IOException e) {
            throw new AtelierException("Cannot read the model cache at " + root + ": " + e.getMessage()
                    + ". Check the folder's permissions or point HF_HUB_CACHE elsewhere.", e);
        }
        return repos;
    }

    public Optional<CachedRepo> find(String repoId) {
        return listRepos().stream().filter(r -> r.repoId().equals(repoId)).findFirst();
    }

    /** Deletes a repository from the cache (links are removed, never followed) and returns the bytes freed. */
    public long removeRepo(String repoId) {
        Path dir = repoDir(repoId);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new AtelierException(repoId + " is not in the model cache (" + root
                    + "); run `atelier models list` to see what is there.");
        }
        long size = sizeOnDisk(dir);
        try {
            deleteTree(dir);
        } catch (IOException e) {
            throw new AtelierException("Could not fully remove " + dir + ": " + e.getMessage()
                    + ". Close programs using the model and try again.", e);
        }
        return size;
    }

    static long sizeOnDisk(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.debug("size of {} incomplete: {}", dir, e.toString());
        }
        return total[0];
    }

    private static Map<String, String> refs(Path repoDir) throws IOException {
        Map<String, String> refs = new TreeMap<>();
        Path refsDir = repoDir.resolve("refs");
        if (!Files.isDirectory(refsDir)) return refs;
        try (Stream<Path> files = Files.walk(refsDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                refs.put(refsDir.relativize(f).toString().replace('\\', '/'), Files.readString(f).strip());
            }
        }
        return refs;
    }

    private static List<String> snapshots(Path repoDir) throws IOException {
        Path dir = repoDir.resolve("snapshots");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
