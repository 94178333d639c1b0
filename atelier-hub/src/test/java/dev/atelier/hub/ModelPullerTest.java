package dev.atelier.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.testkit.hub.FakeHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPullerTest {
    static final String REPO = "acme/tiny-sd";
    static final String UNET = "unet/model.onnx";

    @TempDir Path cacheRoot;
    FakeHub hub;
    FakeHub.Repo repo;
    byte[] unetBytes;

    @BeforeEach
    void startHub() throws IOException {
        hub = FakeHub.start();
        unetBytes = randomBytes(300_000, 1);
        repo = hub.addRepo(REPO)
                .file("model_index.json", "{\"_class_name\": \"OnnxStableDiffusionPipeline\"}")
                .file("tokenizer/vocab.json", "{\"a\": 0}")
                .file("README.md", "# tiny")
                .lfsFile(UNET, unetBytes)
                .lfsFile("vae_decoder/model.onnx", randomBytes(50_000, 2));
    }

    @AfterEach
    void stopHub() { hub.close(); }

    ModelPuller puller(Optional<String> token, SpaceProvider space, int attempts) {
        HubSettings settings = new HubSettings(hub.endpoint(), token, cacheRoot, false);
        return new ModelPuller(new HubClient(settings), new HubCache(cacheRoot), space, attempts);
    }

    ModelPuller puller() { return puller(Optional.empty(), dir -> Long.MAX_VALUE, 3); }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    Path repoDir() { return cacheRoot.resolve("models--acme--tiny-sd"); }

    /** Every entry under the repo folder: files as "F", links as "L -> target". */
    Map<String, String> layout() throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(repoDir())) {
            for (Path p : walk.toList()) {
                String rel = repoDir().relativize(p).toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) entries.put(rel, "L -> " + Files.readSymbolicLink(p).toString().replace('\\', '/'));
                else if (Files.isRegularFile(p)) entries.put(rel, "F");
            }
        }
        return entries;
    }

    List<FakeHub.Request> contentGetsOf(String path) {
        String sha = repo.get(path).lfs() ? repo.get(path).sha256() : null;
        return hub.contentGets().stream()
                .filter(r -> sha != null ? r.path().endsWith("/" + sha) : r.path().endsWith("/" + path)).toList();
    }

    @Test
    void pullWritesTheHubCacheLayoutExactly() throws IOException {
        PullResult result = puller().pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE);

        String c = repo.commit();
        Map<String, String> expected = new TreeMap<>();
        for (String path : List.of("model_index.json", "tokenizer/vocab.json", "README.md", UNET, "vae_decoder/model.onnx")) {
            String etag = repo.get(path).etag();
            expected.put("blobs/" + etag, "F");
            String up = "../".repeat(2 + (int) path.chars().filter(ch -> ch == '/').count());
            expected.put("snapshots/" + c + "/" + path, "L -> " + up + "blobs/" + etag);
        }
        expected.put("refs/main", "F");
        assertThat(layout()).isEqualTo(expected);

        assertThat(Files.readString(repoDir().resolve("refs/main"))).isEqualTo(c);
        assertThat(result.commit()).isEqualTo(c);
        assertThat(result.snapshotDir()).isEqualTo(repoDir().resolve("snapshots/" + c));
        assertThat(Files.readAllBytes(result.snapshotDir().resolve(UNET))).isEqualTo(unetBytes);
        assertThat(repo.get(UNET).etag()).hasSize(64); // LFS blobs are named by SHA-256
        assertThat(repo.get("README.md").etag()).hasSize(40); // plain files by git sha1
        assertThat(result.filesDownloaded()).isEqualTo(5);
        assertThat(result.bytesDownloaded()).isEqualTo(result.totalBytes());
    }

    @Test
    void secondPullDownloadsNothing() {
        puller().pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE);
        hub.clearRequests();

        PullResult again = puller().pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE);

        assertThat(hub.contentGets()).isEmpty();
        assertThat(hub.requests(r -> r.method().equals("HEAD"))).isEmpty();
        assertThat(hub.requests()).hasSize(1); // only the listing
        assertThat(again.filesDownloaded()).isZero();
        assertThat(again.bytesDownloaded()).isZero();
    }

    @Test
    void includePatternsSelectFiles() throws IOException {
        PullResult result = puller().pull(RepoRef.parse(REPO), new GlobFilter(List.of("unet/*", "*.json")),
                DownloadListener.NONE);

        try (Stream<Path> files = Files.walk(result.snapshotDir())) {
            assertThat(files.filter(Files::isRegularFile).map(p -> result.snapshotDir().relativize(p).toString()))
                    .containsExactlyInAnyOrder(UNET, "model_index.json", "tokenizer/vocab.json");
        }
        assertThat(contentGetsOf("vae_decoder/model.onnx")).isEmpty();
    }

    /** Records where each attempt at a file started, i.e. the bytes already on disk. */
    static final class ResumePoints implements DownloadListener {
        final List<Long> starts = new ArrayList<>();

        @Override
        public void fileStarted(String path, long totalBytes, long alreadyHave) {
            if (path.equals(UNET)) starts.add(alreadyHave);
        }
    }

    @Test
    void anInterruptedDownloadResumesWithARangeFromWhereItStopped() throws IOException {
        hub.cutDownloads(UNET, 100_000, 1);
        ResumePoints resume = new ResumePoints();

        PullResult result = puller().pull(RepoRef.parse(REPO), GlobFilter.all(), resume);

        List<FakeHub.Request> gets = contentGetsOf(UNET);
        assertThat(gets).hasSize(2);
        assertThat(gets.get(0).header("Range")).isEmpty();
        assertThat(resume.starts).hasSize(2);
        long kept = resume.starts.get(1);
        assertThat(kept).isPositive().isLessThanOrEqualTo(100_000); // what reached the disk before the cut
        assertThat(gets.get(1).header("Range")).contains("bytes=" + kept + "-");
        assertThat(Files.readAllBytes(result.snapshotDir().resolve(UNET))).isEqualTo(unetBytes);
        assertThat(result.bytesDownloaded()).isEqualTo(result.totalBytes()); // nothing fetched twice
    }

    @Test
    void aPullThatGivesUpKeepsThePartialFileAndTheNextPullResumesIt() throws IOException {
        hub.cutDownloads(UNET, 120_000, 1);
        ModelPuller oneAttempt = puller(Optional.empty(), dir -> Long.MAX_VALUE, 1);

        assertThatThrownBy(() -> oneAttempt.pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining(UNET)
                .hasMessageContaining("run the same command again to resume");
        Path partial = repoDir().resolve("blobs/" + repo.get(UNET).sha256() + ".incomplete");
        long kept = Files.size(partial);
        assertThat(kept).isPositive().isLessThanOrEqualTo(120_000);
        assertThat(Files.readAllBytes(partial)).isEqualTo(java.util.Arrays.copyOf(unetBytes, (int) kept));

        hub.clearRequests();
        PullResult result = oneAttempt.pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE);

        assertThat(contentGetsOf(UNET)).singleElement()
                .satisfies(r -> assertThat(r.header("Range")).contains("bytes=" + kept + "-"));
        assertThat(Files.readAllBytes(result.snapshotDir().resolve(UNET))).isEqualTo(unetBytes);
        assertThat(partial).doesNotExist();
    }

    @Test
    void aCorruptedDownloadIsDetectedAndFetchedAgain() throws IOException {
        hub.corruptDownloads(UNET, 1);
        hub.corruptDownloads("model_index.json", 1); // a plain file: checked by its git sha1

        PullResult result = puller().pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE);

        assertThat(contentGetsOf(UNET)).hasSize(2);
        assertThat(contentGetsOf(UNET).get(1).header("Range")).isEmpty(); // refetched from the start
        assertThat(contentGetsOf("model_index.json")).hasSize(2);
        assertThat(Files.readAllBytes(result.snapshotDir().resolve(UNET))).isEqualTo(unetBytes);
        assertThat(ModelPuller.digest(result.snapshotDir().resolve(UNET), "SHA-256", null))
                .isEqualTo(repo.get(UNET).sha256());
    }

    @Test
    void aBlobDamagedOnDiskIsFoundByVerifyAndFetchedAgain() throws IOException {
        puller().pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE);
        Path blob = repoDir().resolve("blobs/" + repo.get(UNET).sha256());
        byte[] damaged = Files.readAllBytes(blob);
        damaged[1234] ^= 1;
        Files.write(blob, damaged);
        hub.clearRequests();

        PullPlan trusting = puller().plan(RepoRef.parse(REPO), GlobFilter.all());
        assertThat(trusting.bytesToFetch()).isZero(); // a plain pull trusts the cache, as huggingface_hub does
        PullPlan checking = puller().plan(RepoRef.parse(REPO), GlobFilter.all(), true);
        assertThat(checking.files()).filteredOn(f -> f.state() == PlannedFile.State.DOWNLOAD)
                .extracting(PlannedFile::path).containsExactly(UNET);
        PullResult result = puller().execute(checking, DownloadListener.NONE);

        assertThat(contentGetsOf(UNET)).hasSize(1);
        assertThat(hub.contentGets()).hasSize(1);
        assertThat(Files.readAllBytes(result.snapshotDir().resolve(UNET))).isEqualTo(unetBytes);
    }

    @Test
    void aFileThatStaysCorruptedFailsAndLeavesNoBlob() {
        hub.corruptDownloads(UNET, 5);

        assertThatThrownBy(() -> puller().pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("corrupted twice")
                .hasMessageContaining("SHA-256");
        assertThat(repoDir().resolve("blobs/" + repo.get(UNET).sha256())).doesNotExist();
        assertThat(repoDir().resolve("blobs/" + repo.get(UNET).sha256() + ".incomplete")).doesNotExist();
    }

    @Test
    void aGatedRepositoryWithoutATokenFailsWithTheExplainingMessage() {
        repo.gated();

        assertThatThrownBy(() -> puller().pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("gated")
                .hasMessageContaining(hub.endpoint() + "/" + REPO)
                .hasMessageContaining("accept its licence")
                .hasMessageContaining("HF_TOKEN");
        assertThat(hub.contentGets()).isEmpty();
    }

    @Test
    void aGatedRepositoryWithATokenThatLacksAccessSaysSo() {
        repo.gated();
        ModelPuller withToken = puller(Optional.of("hf_not_granted"), dir -> Long.MAX_VALUE, 3);

        assertThatThrownBy(() -> withToken.pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("does not have access yet");
    }

    @Test
    void aGrantedTokenGoesToTheHubButNeverToTheCdn() throws IOException {
        repo.gated();
        hub.grantToken("hf_granted");

        PullResult result = puller(Optional.of("hf_granted"), dir -> Long.MAX_VALUE, 3)
                .pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE);

        assertThat(Files.readAllBytes(result.snapshotDir().resolve(UNET))).isEqualTo(unetBytes);
        assertThat(hub.requests(r -> r.server().equals("hub")))
                .allSatisfy(r -> assertThat(r.header("Authorization")).contains("Bearer hf_granted"));
        assertThat(hub.requests(r -> r.server().equals("cdn"))).isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("Authorization")).isEmpty());
    }

    @Test
    void aMissingRepositoryOrRevisionSaysWhatToCheck() {
        assertThatThrownBy(() -> puller().pull(RepoRef.parse("acme/nope"), GlobFilter.all(), DownloadListener.NONE))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("acme/nope was not found")
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("check the repo id");
        assertThatThrownBy(() -> puller().pull(RepoRef.parse(REPO + "@v9"), GlobFilter.all(), DownloadListener.NONE))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("Revision 'v9' does not exist in " + REPO);
    }

    @Test
    void includePatternsThatMatchNothingListWhatIsThere() {
        assertThatThrownBy(() -> puller().pull(RepoRef.parse(REPO), new GlobFilter(List.of("*.gguf")),
                DownloadListener.NONE))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("No file in " + REPO + " matches --include *.gguf")
                .hasMessageContaining(UNET);
    }

    @Test
    void aDiskThatCannotHoldTheDownloadIsRefusedBeforeAnyContentIsFetched() {
        ModelPuller smallDisk = puller(Optional.empty(), dir -> 200_000, 3);

        assertThatThrownBy(() -> smallDisk.pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("Not enough disk space")
                .hasMessageContaining("needs 350 kB")
                .hasMessageContaining("only 200 kB is free")
                .hasMessageContaining("HF_HUB_CACHE");
        assertThat(hub.contentGets()).isEmpty();
    }

    @Test
    void theSpaceCheckCountsOnlyWhatIsStillMissing() throws IOException {
        hub.cutDownloads(UNET, 250_000, 1);
        assertThatThrownBy(() -> puller(Optional.empty(), dir -> Long.MAX_VALUE, 1)
                .pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE))
                .isInstanceOf(AtelierException.class);

        Path partial = repoDir().resolve("blobs/" + repo.get(UNET).sha256() + ".incomplete");
        long kept = Files.size(partial);

        // What is left: the rest of the UNet and the VAE (50 000 bytes) that came after it.
        PullPlan plan = puller().plan(RepoRef.parse(REPO), GlobFilter.all());
        assertThat(plan.bytesToFetch()).isEqualTo(300_000 - kept + 50_000);
        PullResult result = puller(Optional.empty(), dir -> plan.bytesToFetch(), 3).execute(plan, DownloadListener.NONE);
        assertThat(result.bytesDownloaded()).isEqualTo(plan.bytesToFetch());
    }

    @Test
    void anUnreachableHubSaysToCheckTheNetwork() throws IOException {
        String endpoint = hub.endpoint();
        hub.close();
        HubSettings settings = new HubSettings(endpoint, Optional.empty(), cacheRoot, false);
        ModelPuller offlinePuller = new ModelPuller(new HubClient(settings), new HubCache(cacheRoot), d -> Long.MAX_VALUE, 3);

        assertThatThrownBy(() -> offlinePuller.pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("Cannot reach the hub at " + endpoint)
                .hasMessageContaining("HF_HUB_OFFLINE");
        hub = FakeHub.start(); // for @AfterEach
    }

    @Test
    void withoutSymlinksSnapshotsHoldCopies() throws IOException {
        HubSettings settings = new HubSettings(hub.endpoint(), Optional.empty(), cacheRoot, false);
        ModelPuller copying = new ModelPuller(new HubClient(settings), new HubCache(cacheRoot, false), d -> Long.MAX_VALUE, 3);

        PullResult result = copying.pull(RepoRef.parse(REPO), GlobFilter.all(), DownloadListener.NONE);

        Path unet = result.snapshotDir().resolve(UNET);
        assertThat(Files.isSymbolicLink(unet)).isFalse();
        assertThat(Files.readAllBytes(unet)).isEqualTo(unetBytes);
    }

    @Test
    void aCacheWrittenByPythonToolsIsReused() throws IOException {
        // Lay out the repo as huggingface_hub would have, by hand.
        String c = repo.commit();
        for (FakeHub.RepoFile f : List.of(repo.get("model_index.json"), repo.get(UNET))) {
            Path blob = repoDir().resolve("blobs/" + f.etag());
            Files.createDirectories(blob.getParent());
            Files.write(blob, f.content());
            Path link = repoDir().resolve("snapshots/" + c + "/" + f.path());
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, link.getParent().relativize(blob));
        }
        Files.createDirectories(repoDir().resolve("refs"));
        Files.writeString(repoDir().resolve("refs/main"), c);

        PullResult result = puller().pull(RepoRef.parse(REPO), new GlobFilter(List.of("model_index.json", "unet/*")),
                DownloadListener.NONE);

        assertThat(hub.contentGets()).isEmpty();
        assertThat(result.filesDownloaded()).isZero();
    }

    @Test
    void theListenerSeesEveryFileAndTheTotals() {
        List<String> events = new ArrayList<>();
        long[] lastProgress = {0};
        DownloadListener listener = new DownloadListener() {
            @Override public void pullStarted(PullPlan plan) { events.add("start " + plan.files().size() + " " + plan.bytesToFetch()); }
            @Override public void fileStarted(String path, long total, long have) { events.add("file " + path + " " + total + " " + have); }
            @Override public void fileProgress(String path, long done, long total) { lastProgress[0] = done; }
            @Override public void fileFinished(String path, long total) { events.add("done " + path); }
            @Override public void pullFinished(PullResult r) { events.add("finished " + r.filesDownloaded()); }
        };

        puller().pull(RepoRef.parse(REPO), new GlobFilter(List.of(UNET)), listener);

        assertThat(events).containsExactly("start 1 300000", "file " + UNET + " 300000 0", "done " + UNET, "finished 1");
        assertThat(lastProgress[0]).isEqualTo(300_000);
    }
}
