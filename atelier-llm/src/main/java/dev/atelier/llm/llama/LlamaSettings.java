package dev.atelier.llm.llama;

import dev.atelier.llm.spec.ModelSpec;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to run a GGUF model in process.
 *
 * @param modelPath        the .gguf file
 * @param contextSize      context window in tokens (prompt plus answer)
 * @param threads          CPU threads for generation and prompt processing
 * @param gpuLayers        layers offloaded to a GPU (0: CPU only; the bundled natives of de.kherud:llama are CPU builds)
 * @param defaultMaxTokens answer length limit when a request sets none
 */
public record LlamaSettings(Path modelPath, int contextSize, int threads, int gpuLayers, int defaultMaxTokens) {

    public LlamaSettings {
        Objects.requireNonNull(modelPath, "modelPath");
        if (contextSize < 16) throw new IllegalArgumentException("contextSize must be at least 16");
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
        if (gpuLayers < 0) throw new IllegalArgumentException("gpuLayers must be >= 0");
        if (defaultMaxTokens < 1) throw new IllegalArgumentException("defaultMaxTokens must be at least 1");
    }

    public static LlamaSettings of(Path modelPath) {
        return new LlamaSettings(modelPath, 4096, Runtime.getRuntime().availableProcessors(), 0, 1024);
    }

    public static LlamaSettings of(ModelSpec.Gguf spec) {
        LlamaSettings d = of(spec.path());
        return new LlamaSettings(spec.path(),
                spec.contextSize() != null ? spec.contextSize() : d.contextSize(),
                spec.threads() != null ? spec.threads() : d.threads(),
                spec.gpuLayers() != null ? spec.gpuLayers() : d.gpuLayers(),
                d.defaultMaxTokens());
    }

    public LlamaSettings withContextSize(int n) { return new LlamaSettings(modelPath, n, threads, gpuLayers, defaultMaxTokens); }
    public LlamaSettings withThreads(int n) { return new LlamaSettings(modelPath, contextSize, n, gpuLayers, defaultMaxTokens); }
    public LlamaSettings withGpuLayers(int n) { return new LlamaSettings(modelPath, contextSize, threads, n, defaultMaxTokens); }
    public LlamaSettings withDefaultMaxTokens(int n) { return new LlamaSettings(modelPath, contextSize, threads, gpuLayers, n); }
}
