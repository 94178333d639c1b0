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
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelResolverTest {
    @TempDir Path cacheRoot;
    @TempDir Path work;
    FakeHub hub;
    FakeHub.Repo pipeline;
    FakeHub.Repo gguf;
    Presets presets;

    @BeforeEach
    void setUp() throws IOException {
        hub = FakeHub.start();
        pipeline = hub.addRepo("acme/tiny-sd").file("model_index.json", "{}").lfsFile("unet/model.onnx", new byte[4000])
                .file("README.md", "hi");
        gguf = hub.addRepo("acme/tiny-llm-GGUF").lfsFile("tiny-Q4_K_M.gguf", new byte[3000])
                .lfsFile("tiny-Q8_0.gguf", new byte[6000]);
        presets = new Presets(List.of(
                new Preset("tiny", "diffusion", "test pipeline", "acme/tiny-sd", "main",
                        List.of("model_index.json", "unet/*"), null, 4002),
                new Preset("tiny-llm", "gguf", "test llm", "acme/tiny-llm-GGUF", gguf.commit(),
                        List.of("*Q4_K_M.gguf"), "tiny-Q4_K_M.gguf", 3000)));
    }

    @AfterEach
    void tearDown() { hub.close(); }

    ModelResolver resolver(boolean offline) {
        HubSettings settings = new HubSettings(hub.endpoint(), Optional.empty(), cacheRoot, offline);
        return new ModelResolver(new ModelPuller(new HubClient(settings), new HubCache(cacheRoot), d -> Long.MAX_VALUE, 3),
                presets);
    }

    @Test
    void anExistingPathIsUsedAsIs() {
        assertThat(resolver(false).resolve(work.toString(), PullConsent.NEVER)).isEqualTo(work.toAbsolutePath());
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void aMissingPresetWithoutPullNamesTheCommandAndTouchesNoNetwork() {
        assertThatThrownBy(() -> resolver(false).resolve("tiny", PullConsent.NEVER))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("`atelier models pull tiny`")
                .hasMessageContaining("--pull")
                .hasMessageContaining("4.0 kB");
        assertThatThrownBy(() -> resolver(false).resolve("acme/tiny-llm-GGUF/tiny-Q8_0.gguf", PullConsent.NEVER))
                .hasMessageContaining("`atelier models pull acme/tiny-llm-GGUF --include 'tiny-Q8_0.gguf'`");
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void consentIsAskedWithTheExactSizeBeforeAnyContentIsFetched() {
        List<Long> shownSizes = new ArrayList<>();
        List<Integer> contentGetsWhenAsked = new ArrayList<>();
        PullConsent askUser = (spec, plan) -> {
            shownSizes.add(plan.bytesToFetch());
            contentGetsWhenAsked.add(hub.contentGets().size());
            return true;
        };

        Path dir = resolver(false).resolve("tiny", askUser);

        assertThat(shownSizes).containsExactly(4002L);
        assertThat(contentGetsWhenAsked).containsExactly(0);
        assertThat(dir).isEqualTo(cacheRoot.resolve("models--acme--tiny-sd/snapshots/" + pipeline.commit()));
        assertThat(dir.resolve("unet/model.onnx")).hasSize(4000);
        assertThat(dir.resolve("README.md")).doesNotExist();
    }

    @Test
    void aRefusedConsentDownloadsNothing() {
        assertThatThrownBy(() -> resolver(false).resolve("tiny", (spec, plan) -> false))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("was not downloaded")
                .hasMessageContaining("atelier models pull tiny");
        assertThat(hub.contentGets()).isEmpty();
    }

    @Test
    void aCachedModelIsFoundOfflineAndSingleFilePresetsResolveToTheFile() {
        Path file = resolver(false).resolve("tiny-llm", PullConsent.ALWAYS);
        assertThat(file.getFileName().toString()).isEqualTo("tiny-Q4_K_M.gguf");
        assertThat(file).hasSize(3000);
        assertThat(hub.contentGets()).hasSize(1); // the Q8 file was not fetched
        Path dir = resolver(false).resolve("tiny", PullConsent.ALWAYS);
        hub.clearRequests();

        assertThat(resolver(true).resolve("tiny-llm", PullConsent.NEVER)).isEqualTo(file);
        assertThat(resolver(true).resolve("tiny", PullConsent.NEVER)).isEqualTo(dir);
        assertThat(resolver(false).resolve("acme/tiny-sd", PullConsent.NEVER)).isEqualTo(dir);
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void hubIdsWithAFilePathPullOnlyThatFile() {
        Path file = resolver(false).resolve("acme/tiny-llm-GGUF@main/tiny-Q8_0.gguf", PullConsent.ALWAYS);
        assertThat(file).hasSize(6000);
        assertThat(file.toString()).contains("models--acme--tiny-llm-GGUF");
        assertThat(hub.contentGets()).hasSize(1);
    }

    @Test
    void offlineModeRefusesToDownload() {
        assertThatThrownBy(() -> resolver(true).resolve("tiny", PullConsent.ALWAYS))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("HF_HUB_OFFLINE")
                .hasMessageContaining("atelier models pull tiny");
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void somethingThatIsNeitherPathPresetNorHubIdIsExplained() {
        assertThatThrownBy(() -> resolver(false).resolve("not-a-model", PullConsent.ALWAYS))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("not an existing file or folder")
                .hasMessageContaining("tiny, tiny-llm")
                .hasMessageContaining("ORG/NAME");
        assertThat(Files.exists(cacheRoot.resolve("models--not-a-model"))).isFalse();
    }
}
