package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.hub.SpaceProvider;
import dev.atelier.testkit.hub.FakeHub;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelsCommandTest {
    static final String SD_TURBO_COMMIT = "6d0b4c16d1606606694b58681a91b0edf1415268";

    @TempDir Path hfHome;
    FakeHub hub;
    FakeHub.Repo tiny;
    final Map<String, String> env = new HashMap<>();
    SpaceProvider space = dir -> Long.MAX_VALUE;

    @BeforeEach
    void setUp() throws IOException {
        hub = FakeHub.start();
        byte[] unet = new byte[200_000];
        new Random(7).nextBytes(unet);
        tiny = hub.addRepo("acme/tiny-sd").file("model_index.json", "{}").lfsFile("unet/model.onnx", unet)
                .file("README.md", "hello");
        env.put("HF_ENDPOINT", hub.endpoint());
        env.put("HF_HOME", hfHome.toString());
    }

    @AfterEach
    void tearDown() { hub.close(); }

    record Run(int exitCode, String out, String err) {}

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ModelsCommand.commandLine(new ModelsCommand(env::get, space));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    Path snapshot(String folder, String commit) { return hfHome.resolve("hub/" + folder + "/snapshots/" + commit); }

    @Test
    void pullDownloadsIntoTheHuggingFaceCacheUnderHfHome() throws IOException {
        Run r = run("pull", "acme/tiny-sd", "--include", "unet/*", "--include", "model_index.json", "--no-progress");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("acme/tiny-sd at commit " + tiny.commit().substring(0, 12) + ": 2 files")
                .contains("fetched unet/model.onnx (200 kB)")
                .contains("Done: 2 of 2 files downloaded");
        Path snap = snapshot("models--acme--tiny-sd", tiny.commit());
        assertThat(Files.readAllBytes(snap.resolve("unet/model.onnx"))).isEqualTo(tiny.get("unet/model.onnx").content());
        assertThat(snap.resolve("README.md")).doesNotExist();
        assertThat(Files.readString(hfHome.resolve("hub/models--acme--tiny-sd/refs/main"))).isEqualTo(tiny.commit());
    }

    @Test
    void aSecondPullDownloadsNothing() {
        assertThat(run("pull", "acme/tiny-sd", "--no-progress").exitCode()).isZero();
        hub.clearRequests();

        Run again = run("pull", "acme/tiny-sd", "--no-progress");

        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("0 B to download").contains("Done: 0 of 3 files downloaded").doesNotContain("fetched");
        assertThat(hub.contentGets()).isEmpty();
    }

    @Test
    void aPresetPullsItsPinnedRevisionAndOnlyItsFiles() {
        FakeHub.Repo turbo = hub.addRepo("onnxruntime/sd-turbo").atCommit(SD_TURBO_COMMIT)
                .file("model_index.json", "{}").lfsFile("unet/model.onnx", new byte[1000])
                .file("tokenizer/vocab.json", "{}").file("scheduler/scheduler_config.json", "{}")
                .lfsFile("text_encoder/model.onnx", new byte[300]).lfsFile("vae_decoder/model.onnx", new byte[200])
                .lfsFile("vae_encoder/model.onnx", new byte[100])
                .file("README.md", "card").file("LICENSE", "licence");

        Run r = run("pull", "sd-turbo", "--no-progress");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Use it with --model sd-turbo");
        Path snap = snapshot("models--onnxruntime--sd-turbo", turbo.commit());
        assertThat(snap.resolve("unet/model.onnx")).hasSize(1000);
        assertThat(snap.resolve("README.md")).doesNotExist();
        assertThat(snap.resolve("LICENSE")).doesNotExist();
        assertThat(hub.requests(q -> q.path().startsWith("/api/models/")))
                .singleElement().satisfies(q -> assertThat(q.path()).endsWith("/revision/" + SD_TURBO_COMMIT));

        Run presets = run("presets");
        assertThat(presets.out()).contains("sd15", "sd-inpainting", "instruct-pix2pix", "qwen2.5-1.5b-instruct")
                .containsPattern("sd-turbo\\s+~2\\.6 GB\\s+\\[cached]")
                .contains("onnxruntime/sd-turbo@6d0b4c16d160 (pinned)");
    }

    @Test
    void listShowsSizesAndRevisionsAndRmRemoves() {
        run("pull", "acme/tiny-sd", "--no-progress");

        Run list = run("list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).containsPattern("acme/tiny-sd\\s+200 kB\\s+-\\s+main=" + tiny.commit().substring(0, 12))
                .contains("1 repositories");

        Run rm = run("rm", "acme/tiny-sd");
        assertThat(rm.out()).contains("Removed acme/tiny-sd (200 kB freed)");
        assertThat(hfHome.resolve("hub/models--acme--tiny-sd")).doesNotExist();
        assertThat(run("list").out()).contains("No models in " + hfHome.resolve("hub"));
        assertThat(run("rm", "acme/tiny-sd").err()).contains("not in the model cache");
    }

    @Test
    void aGatedRepositoryWithoutATokenExplainsWhatToDo() {
        tiny.gated();
        hub.grantToken("hf_ok");

        Run denied = run("pull", "acme/tiny-sd", "--no-progress");
        assertThat(denied.exitCode()).isEqualTo(1);
        assertThat(denied.err()).contains("acme/tiny-sd is a gated model")
                .contains("accept its licence").contains("HF_TOKEN");

        env.put("HF_TOKEN", "hf_ok");
        assertThat(run("pull", "acme/tiny-sd", "--no-progress").exitCode()).isZero();
    }

    @Test
    void aMissingRepositorySaysToCheckTheId() {
        Run r = run("pull", "acme/missing", "--no-progress");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("acme/missing was not found").contains("check the repo id");
    }

    @Test
    void aFullDiskIsRefused() {
        space = dir -> 1_000;
        Run r = run("pull", "acme/tiny-sd", "--no-progress");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Not enough disk space").contains("only 1.0 kB is free");
        assertThat(hub.contentGets()).isEmpty();
    }

    @Test
    void progressBarsShowEachFileAndTheTotal() {
        List<String> frames = new CopyOnWriteArrayList<>();
        StringWriter lines = new StringWriter();
        ModelsCommand.DownloadProgress progress = new ModelsCommand.DownloadProgress(new PrintWriter(lines),
                ModelsCommand.DownloadProgress.barsInto(() -> new DelegatingProgressBarConsumer(frames::add, 120)));
        ModelsCommand models = new ModelsCommand(env::get, space);

        models.puller().pull(dev.atelier.hub.RepoRef.parse("acme/tiny-sd"), dev.atelier.hub.GlobFilter.all(), progress);

        assertThat(frames).anySatisfy(f -> assertThat(f).contains("unet/model.onnx").contains("100%"));
        assertThat(frames).anySatisfy(f -> assertThat(f).contains("Total").contains("100%"));
        assertThat(lines.toString()).isEmpty(); // bars replace the plain lines
    }

    @Test
    void otherCommandsResolveModelsAndNameThePullCommandWhenMissing() {
        StringWriter err = new StringWriter();
        assertThatThrownBy(() -> ModelsCommand.resolveForUse("sd15", false, new PrintWriter(err), env::get, space))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("`atelier models pull sd15`")
                .hasMessageContaining("about 4.3 GB");

        Path dir = ModelsCommand.resolveForUse("acme/tiny-sd", true, new PrintWriter(err), env::get, space);
        assertThat(dir).isEqualTo(snapshot("models--acme--tiny-sd", tiny.commit()));
        assertThat(dir.resolve("unet/model.onnx")).hasSize(200_000);
    }

    @Test
    void theRootCommandOffersTheModelsSubcommands() {
        StringWriter out = new StringWriter();
        CommandLine cl = AtelierCommand.newCommandLine();
        cl.setOut(new PrintWriter(out, true));
        int code = cl.execute("models", "--help");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("pull", "list", "rm", "presets");
    }
}
