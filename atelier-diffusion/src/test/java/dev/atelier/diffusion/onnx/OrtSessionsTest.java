package dev.atelier.diffusion.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.testkit.onnx.OnnxModelBuilder;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntAttr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session layer reads the contract from the model and converts Java data to the declared element types. */
class OrtSessionsTest {

    /** y = x (fp16 in, float out) + Cast(ids → float) summed: mixes fp16, int32 and a [1]-shaped int64 input. */
    private static Path model(Path dir) throws Exception {
        return new OnnxModelBuilder("mixed")
                .input("x", ElemType.FLOAT16, "batch", 3)
                .input("ids", ElemType.INT32, "batch", 3)
                .input("t", ElemType.INT64, 1)
                .node("Cast", List.of("x"), List.of("xf"), Map.of("to", new IntAttr(ElemType.FLOAT.code)))
                .node("Cast", List.of("ids"), List.of("idf"), Map.of("to", new IntAttr(ElemType.FLOAT.code)))
                .node("Cast", List.of("t"), List.of("tf"), Map.of("to", new IntAttr(ElemType.FLOAT.code)))
                .node("Add", List.of("xf", "idf"), List.of("s"))
                .node("Add", List.of("s", "tf"), List.of("y"))
                .output("y", ElemType.FLOAT, "batch", 3)
                .writeTo(dir.resolve("m/model.onnx"));
    }

    @Test
    void readsTheContractAndConvertsFeeds(@TempDir Path dir) throws Exception {
        try (ModelSession s = OrtSessions.open("mixed", model(dir), SessionSettings.defaults().withIntraOpThreads(1))) {
            assertThat(s.requireInput("x").type()).isEqualTo(ElementType.FLOAT16);
            assertThat(s.requireInput("x").shape()).containsExactly(-1, 3);
            assertThat(s.requireInput("ids").type()).isEqualTo(ElementType.INT32);
            assertThat(s.requireInput("t").shape()).containsExactly(1);
            try (PreparedInput ids = s.prepare("ids", Tensor.ofLongs(new long[] {1, 2, 3}, 1, 3))) {
                for (int run = 0; run < 2; run++) {
                    Map<String, Tensor.Floats> out = s.run(Map.of(
                            "x", Tensor.of(new float[] {0.5f, 0.25f, -1f}, 1, 3),
                            "ids", ids,
                            "t", Tensor.of(new float[] {999.9f}, 1))); // float → int64 truncates as numpy does
                    assertThat(out.get("y").data()).containsExactly(1000.5f, 1001.25f, 1001f);
                    assertThat(out.get("y").shape()).containsExactly(1, 3);
                }
            }
            assertThat(s.nanosInRuns()).isPositive();
        }
    }

    @Test
    void wrongShapesAndUnknownInputsAreNamed(@TempDir Path dir) throws Exception {
        try (ModelSession s = OrtSessions.open("mixed", model(dir), SessionSettings.defaults())) {
            assertThatThrownBy(() -> s.run(Map.of("x", Tensor.of(new float[4], 1, 4), "ids",
                    Tensor.ofLongs(new long[3], 1, 3), "t", Tensor.ofLongs(new long[1], 1))))
                    .isInstanceOf(AtelierException.class).hasMessageContaining("mixed input 'x' expects shape [?, 3]")
                    .hasMessageContaining("[1, 4]");
            assertThatThrownBy(() -> s.run(Map.of("x", Tensor.of(new float[3], 1, 3))))
                    .isInstanceOf(AtelierException.class).hasMessageContaining("ids");
            assertThatThrownBy(() -> s.requireInput("sample")).hasMessageContaining("no input named 'sample'")
                    .hasMessageContaining("x float16[?, 3]");
        }
    }

    @Test
    void missingOrDamagedFilesAreNamed(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> OrtSessions.open("unet", dir.resolve("unet/model.onnx"), SessionSettings.defaults()))
                .isInstanceOf(AtelierException.class).hasMessageContaining("unet model file is missing")
                .hasMessageContaining("unet/model.onnx");
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
        assertThatThrownBy(() -> OrtSessions.open("vae_decoder", junk, SessionSettings.defaults()))
                .isInstanceOf(AtelierException.class).hasMessageContaining("cannot load vae_decoder");
    }
}
