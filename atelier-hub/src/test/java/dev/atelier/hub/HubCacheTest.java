package dev.atelier.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubCacheTest {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    @TempDir Path root;

    /** A repo laid out as huggingface_hub writes it, with one blob of {@code size} bytes. */
    HubCache cacheWith(String repoId, String etag, int size) throws IOException {
        HubCache cache = new HubCache(root);
        Path blob = cache.blobPath(repoId, etag);
        Files.createDirectories(blob.getParent());
        Files.write(blob, new byte[size]);
        cache.linkIntoSnapshot(repoId, COMMIT, "unet/model.onnx", etag);
        cache.writeRef(repoId, "main", COMMIT);
        return cache;
    }

    @Test
    void findsASnapshotByBranchOrCommitWithoutTheNetwork() throws IOException {
        HubCache cache = cacheWith("acme/model", "abc123", 10);

        Path expected = root.resolve("models--acme--model/snapshots/" + COMMIT);
        assertThat(cache.findSnapshot("acme/model", "main")).contains(expected);
        assertThat(cache.findSnapshot("acme/model", COMMIT)).contains(expected);
        assertThat(cache.findSnapshot("acme/model", "v2")).isEmpty();
        assertThat(cache.findSnapshot("acme/other", "main")).isEmpty();
        assertThat(Files.readSymbolicLink(expected.resolve("unet/model.onnx")).toString().replace('\\', '/'))
                .isEqualTo("../../../blobs/abc123");
    }

    @Test
    void listsReposWithSizesRefsAndSnapshots() throws IOException {
        cacheWith("acme/model", "abc123", 1000);
        HubCache cache = cacheWith("zeta/other", "def456", 2500);
        Files.createDirectories(root.resolve("datasets--x--y")); // not a model: ignored

        assertThat(cache.listRepos()).extracting(CachedRepo::repoId, CachedRepo::sizeBytes, CachedRepo::refs,
                        CachedRepo::snapshots)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("acme/model", 1000L + 40, Map.of("main", COMMIT), java.util.List.of(COMMIT)),
                        org.assertj.core.groups.Tuple.tuple("zeta/other", 2500L + 40, Map.of("main", COMMIT), java.util.List.of(COMMIT)));
    }

    @Test
    void removesARepoWithoutFollowingLinksAndReportsTheSpaceFreed() throws IOException {
        HubCache cache = cacheWith("acme/model", "abc123", 1000);
        Path outside = root.resolveSibling(root.getFileName() + "-outside.bin");
        Files.write(outside, new byte[5]);
        Files.createSymbolicLink(cache.snapshotDir("acme/model", COMMIT).resolve("escape.bin"), outside);

        long freed = cache.removeRepo("acme/model");

        assertThat(freed).isEqualTo(1040);
        assertThat(root.resolve("models--acme--model")).doesNotExist();
        assertThat(outside).exists();
        Files.delete(outside);
        assertThatThrownBy(() -> cache.removeRepo("acme/model"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("not in the model cache");
    }

    @Test
    void refusesPathsThatWouldEscapeTheCache() {
        HubCache cache = new HubCache(root);
        assertThatThrownBy(() -> cache.snapshotFile("acme/model", COMMIT, "../../../evil"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("unsafe file path");
        assertThatThrownBy(() -> cache.blobPath("acme/model", "../x"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("unusable file id");
    }
}
