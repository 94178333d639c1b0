package dev.atelier.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallPartsTest {
    @TempDir Path tmp;

    @Test
    void globsFollowFnmatchAsHuggingfaceHubDoes() {
        GlobFilter f = new GlobFilter(List.of("unet/*", "*.json", "vae_?ecoder/model.onnx", "text_encoder/"));
        assertThat(f).accepts("unet/model.onnx", "unet/sub/weights.pb", "model_index.json", "tokenizer/vocab.json",
                "vae_decoder/model.onnx", "text_encoder/model.onnx");
        assertThat(f).rejects("README.md", "unet", "vae_encoder/model.onnx", "vae_decoder/config.txt", "safety_checker/model.onnx");
        assertThat(new GlobFilter(List.of("*Q4_K_M.gguf"))).accepts("Qwen2.5-1.5B-Instruct-Q4_K_M.gguf")
                .rejects("Qwen2.5-1.5B-Instruct-Q8_0.gguf");
        assertThat(new GlobFilter(List.of("[!a]*.txt"))).accepts("b.txt").rejects("a.txt");
        assertThat(GlobFilter.all()).accepts("anything/at/all");
    }

    @Test
    void settingsFollowTheHuggingFaceEnvironmentVariables() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", tmp.toString());
        HubSettings defaults = HubSettings.fromEnvironment(env::get);
        assertThat(defaults.endpoint()).isEqualTo("https://huggingface.co");
        assertThat(defaults.cacheDir()).isEqualTo(tmp.resolve(".cache/huggingface/hub"));
        assertThat(defaults.token()).isEmpty();
        assertThat(defaults.offline()).isFalse();

        env.put("HF_HOME", tmp.resolve("hf").toString());
        Files.createDirectories(tmp.resolve("hf"));
        Files.writeString(tmp.resolve("hf/token"), "hf_from_login\n");
        HubSettings home = HubSettings.fromEnvironment(env::get);
        assertThat(home.cacheDir()).isEqualTo(tmp.resolve("hf/hub"));
        assertThat(home.token()).contains("hf_from_login");

        env.put("HF_ENDPOINT", "http://127.0.0.1:9/");
        env.put("HF_HUB_CACHE", tmp.resolve("elsewhere").toString());
        env.put("HF_TOKEN", "hf_env");
        env.put("HF_HUB_OFFLINE", "1");
        HubSettings all = HubSettings.fromEnvironment(env::get);
        assertThat(all.endpoint()).isEqualTo("http://127.0.0.1:9");
        assertThat(all.cacheDir()).isEqualTo(tmp.resolve("elsewhere"));
        assertThat(all.token()).contains("hf_env");
        assertThat(all.offline()).isTrue();
    }

    @Test
    void repoRefsParseAndNameTheirCacheFolder() {
        RepoRef r = RepoRef.parse("onnxruntime/sd-turbo@6d0b4c16d1606606694b58681a91b0edf1415268");
        assertThat(r.repoId()).isEqualTo("onnxruntime/sd-turbo");
        assertThat(RepoRef.isCommitSha(r.revision())).isTrue();
        assertThat(r.cacheFolderName()).isEqualTo("models--onnxruntime--sd-turbo");
        assertThat(RepoRef.parse("acme/x").revision()).isEqualTo("main");
        assertThat(RepoRef.looksLikeRepoId("acme/x@v1")).isTrue();
        assertThat(RepoRef.looksLikeRepoId("./models/x")).isFalse();
        assertThat(RepoRef.looksLikeRepoId("sd15")).isFalse();
        assertThatThrownBy(() -> RepoRef.parse("a/b/../c")).isInstanceOf(AtelierException.class)
                .hasMessageContaining("ORG/NAME");
    }

    @Test
    void byteSizesReadLikeTheHub() {
        assertThat(ByteSizes.format(999)).isEqualTo("999 B");
        assertThat(ByteSizes.format(986_000_000)).isEqualTo("986 MB");
        assertThat(ByteSizes.format(4_270_000_000L)).isEqualTo("4.3 GB");
    }

    @Test
    void builtInPresetsCoverWhatAtelierNeeds() {
        Presets presets = Presets.builtIn();
        assertThat(presets.names()).contains("sd15", "sd-turbo", "sd-inpainting", "instruct-pix2pix",
                "qwen2.5-1.5b-instruct", "clip");
        for (Preset p : presets.all()) {
            assertThat(p.revision()).matches("[0-9a-f]{40}|main");
            assertThat(p.include()).isNotEmpty();
            assertThat(p.approxBytes()).isPositive();
            assertThat(RepoRef.looksLikeRepoId(p.repo())).isTrue();
            assertThat(p.kind()).isIn("diffusion", "gguf", "clip");
            if (p.kind().equals("gguf")) {
                assertThat(p.entry()).endsWith(".gguf");
                assertThat(p.includeFilter()).accepts(p.entry());
            } else if (p.kind().equals("clip")) {
                // the split towers, tokenizer and preprocessing only: not the merged or quantised variants
                assertThat(p.includeFilter()).accepts("onnx/text_model.onnx", "onnx/vision_model.onnx", "vocab.json",
                        "merges.txt", "preprocessor_config.json");
                assertThat(p.includeFilter()).rejects("onnx/model.onnx", "onnx/text_model_quantized.onnx",
                        "onnx/vision_model_fp16.onnx");
            } else {
                assertThat(p.includeFilter()).accepts("model_index.json", "unet/model.onnx", "text_encoder/model.onnx",
                        "vae_decoder/model.onnx", "tokenizer/vocab.json");
            }
        }
        assertThat(presets.find("SD15")).map(Preset::repo).contains("onnx-community/stable-diffusion-v1-5-ONNX");
        assertThat(presets.find("qwen2.5-1.5b-instruct").orElseThrow().entry()).containsIgnoringCase("q4_k_m");
    }
}
