package dev.atelier.diffusion.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.testkit.onnx.OnnxModelBuilder;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime's optimised graph is cached, loaded on the next start, and never used once the model changed. */
class OptimizedModelCacheTest {
    private String previous;

    @BeforeEach
    void remember() {
        previous = System.getProperty(OptimizedModelCache.CACHE_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (previous == null) System.clearProperty(OptimizedModelCache.CACHE_PROPERTY);
        else System.setProperty(OptimizedModelCache.CACHE_PROPERTY, previous);
    }

    /** y = (x + a) · 1 + 0: foldable constants, so the optimised graph differs from the written one. */
    private static Path model(Path file, float a, boolean externalData) throws Exception {
        float[] big = new float[512]; // large enough to go to the external file
        java.util.Arrays.fill(big, a);
        OnnxModelBuilder b = new OnnxModelBuilder("add")
                .input("x", ElemType.FLOAT, 1, 512)
                .initializer("a", new long[] {1, 512}, big)
                .initializer("one", new long[] {}, new float[] {1f})
                .initializer("zero", new long[] {}, new float[] {0f})
                .node("Mul", List.of("a", "one"), List.of("a1"))
                .node("Add", List.of("a1", "zero"), List.of("a2"))
                .node("Add", List.of("x", "a2"), List.of("y"))
                .output("y", ElemType.FLOAT, 1, 512);
        return externalData ? b.writeWithExternalData(file, "model.onnx_data", 256) : b.writeTo(file);
    }

    private static float firstOutput(Path model) {
        try (ModelSession s = OrtSessions.open("add", model, SessionSettings.defaults().withIntraOpThreads(1))) {
            return s.run(Map.of("x", Tensor.of(new float[512], 1, 512))).get("y").data()[0];
        }
    }

    private static List<Path> entries(Path cache) throws Exception {
        if (!Files.isDirectory(cache)) return List.of();
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
        }
    }

    @Test
    void writesTheGraphOnceThenLoadsIt(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        System.setProperty(OptimizedModelCache.CACHE_PROPERTY, cache.toString());
        Path file = model(dir.resolve("unet/model.onnx"), 2f, false);

        assertThat(firstOutput(file)).isEqualTo(2f);
        List<Path> written = entries(cache);
        assertThat(written).hasSize(1);
        long modified = Files.getLastModifiedTime(written.getFirst()).toMillis();

        // the original is gone: the second open can only have used the cached graph
        Files.move(file, dir.resolve("moved.onnx"));
        Files.copy(dir.resolve("moved.onnx"), file);
        assertThat(firstOutput(file)).isEqualTo(2f);
        assertThat(entries(cache)).containsExactlyElementsOf(written);
        assertThat(Files.getLastModifiedTime(written.getFirst()).toMillis()).isEqualTo(modified);
        try (Stream<Path> left = Files.list(cache)) {
            assertThat(left.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void aChangedModelIsNeverServedFromTheOldEntry(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        System.setProperty(OptimizedModelCache.CACHE_PROPERTY, cache.toString());
        Path file = model(dir.resolve("unet/model.onnx"), 2f, false);
        assertThat(firstOutput(file)).isEqualTo(2f);
        List<Path> before = entries(cache);

        model(file, 5f, false); // same path, same size, new weights
        assertThat(firstOutput(file)).isEqualTo(5f);
        List<Path> after = entries(cache);
        assertThat(after).hasSize(1).doesNotContainAnyElementsOf(before); // rebuilt, and the stale one removed
        assertThat(firstOutput(file)).isEqualTo(5f);
    }

    @Test
    void aChangedExternalDataFileInvalidatesTheEntry(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        System.setProperty(OptimizedModelCache.CACHE_PROPERTY, cache.toString());
        Path file = model(dir.resolve("unet/model.onnx"), 2f, true);
        assertThat(Files.size(dir.resolve("unet/model.onnx_data"))).isGreaterThan(1000);
        assertThat(firstOutput(file)).isEqualTo(2f);
        assertThat(firstOutput(file)).isEqualTo(2f); // from the cache, its weights in its own data file

        Path other = model(dir.resolve("other/model.onnx"), 7f, true);
        Files.copy(other.resolveSibling("model.onnx_data"), dir.resolve("unet/model.onnx_data"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING); // only the weights change
        assertThat(firstOutput(file)).isEqualTo(7f);
    }

    @Test
    void aLargeWeightsFileIsKeyedBySampleSizeAndTimeAndStillInvalidates(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        System.setProperty(OptimizedModelCache.CACHE_PROPERTY, cache.toString());
        Path file = largeModel(dir.resolve("unet/model.onnx"), 2f);
        assertThat(Files.size(dir.resolve("unet/model.onnx_data"))).isGreaterThan(4L << 20); // past whole hashing
        assertThat(largeOutput(file)).isCloseTo(2f, org.assertj.core.data.Offset.offset(0.01f));
        largeModel(file, 9f);
        assertThat(largeOutput(file)).isCloseTo(9f, org.assertj.core.data.Offset.offset(0.01f));
        assertThat(entries(cache)).hasSize(1);
    }

    /** y = x + Σ a (a: 1.2 M equal weights, kept in an external file). */
    private static Path largeModel(Path file, float a) throws Exception {
        int n = 1_200_000;
        float[] big = new float[n];
        java.util.Arrays.fill(big, a / n);
        return new OnnxModelBuilder("large")
                .input("x", ElemType.FLOAT, 1)
                .initializer("a", new long[] {n}, big)
                .node("ReduceSum", List.of("a"), List.of("s"), Map.of("keepdims", new OnnxModelBuilder.IntAttr(1)))
                .node("Add", List.of("x", "s"), List.of("y"))
                .output("y", ElemType.FLOAT, 1)
                .writeWithExternalData(file, "model.onnx_data", 256);
    }

    private static float largeOutput(Path model) {
        try (ModelSession s = OrtSessions.open("large", model, SessionSettings.defaults().withIntraOpThreads(1))) {
            return s.run(Map.of("x", Tensor.of(new float[1], 1))).get("y").data()[0];
        }
    }

    @Test
    void aDamagedEntryIsRebuilt(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        System.setProperty(OptimizedModelCache.CACHE_PROPERTY, cache.toString());
        Path file = model(dir.resolve("unet/model.onnx"), 3f, false);
        assertThat(firstOutput(file)).isEqualTo(3f);
        Path entry = entries(cache).getFirst();
        Files.write(entry, new byte[] {1, 2, 3}); // truncated by a crash, say

        assertThat(firstOutput(file)).isEqualTo(3f);
        assertThat(Files.size(entry)).isGreaterThan(3);
    }

    @Test
    void offOpensThePlainModel(@TempDir Path dir) throws Exception {
        System.setProperty(OptimizedModelCache.CACHE_PROPERTY, "off");
        Path file = model(dir.resolve("unet/model.onnx"), 4f, false);
        assertThat(firstOutput(file)).isEqualTo(4f);
        assertThat(OptimizedModelCache.configured()).isNull();
    }
}
