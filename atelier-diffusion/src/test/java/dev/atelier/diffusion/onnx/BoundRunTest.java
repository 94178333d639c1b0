package dev.atelier.diffusion.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.testkit.onnx.OnnxModelBuilder;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntAttr;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs over buffers bound once: inputs rewritten in place between runs, outputs read from the pinned buffer. */
class BoundRunTest {

    /** y = x + ids + t (x fp16, ids int32, t int64 [1]), y in fp16 so reading converts too. */
    private static Path model(Path dir) throws Exception {
        return new OnnxModelBuilder("mixed")
                .input("x", ElemType.FLOAT16, "batch", 3)
                .input("ids", ElemType.INT32, "batch", 3)
                .input("t", ElemType.INT64, 1)
                .node("Cast", List.of("ids"), List.of("idh"), Map.of("to", new IntAttr(ElemType.FLOAT16.code)))
                .node("Cast", List.of("t"), List.of("th"), Map.of("to", new IntAttr(ElemType.FLOAT16.code)))
                .node("Add", List.of("x", "idh"), List.of("s"))
                .node("Add", List.of("s", "th"), List.of("y"))
                .output("y", ElemType.FLOAT16, "batch", 3)
                .writeTo(dir.resolve("m/model.onnx"));
    }

    @Test
    void inputsRewrittenInPlaceAreSeenByEveryRunAndConverted(@TempDir Path dir) throws Exception {
        try (ModelSession s = OrtSessions.open("mixed", model(dir), SessionSettings.defaults().withIntraOpThreads(1));
             PreparedInput ids = s.prepare("ids", Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 2, 3));
             BoundRun run = s.bind(Map.of("x", new long[] {2, 3}, "t", new long[] {1}), Map.of("ids", ids),
                     Map.of("y", new long[] {2, 3}))) {
            BoundRun.InputBuffer x = run.input("x");
            BoundRun.InputBuffer t = run.input("t");
            float[] y = new float[8];
            x.put(0, new float[] {0.5f, 0.25f, -1f, 2f, 2f, 2f}, 0, 6);
            t.fill(10.9f); // int64 truncates as numpy's astype does
            run.run();
            run.output("y").get(0, y, 1, 6);
            assertThat(y).containsExactly(0f, 11.5f, 12.25f, 12f, 16f, 17f, 18f, 0f);
            x.put(3, new float[] {9f, -3f, 0f}, 1, 2); // only the second row's first two values change
            t.fill(0f);
            run.run();
            run.output("y").get(3, y, 0, 3);
            assertThat(y).startsWith(1f, 5f, 8f); // -3 + 4, 0 + 5, 2 + 6
            assertThat(x.size()).isEqualTo(6);
            assertThat(run.output("y").size()).isEqualTo(6);
        }
    }

    @Test
    void shapesThatDoNotFitAndMissingInputsAreNamed(@TempDir Path dir) throws Exception {
        try (ModelSession s = OrtSessions.open("mixed", model(dir), SessionSettings.defaults())) {
            assertThatThrownBy(() -> s.bind(Map.of("x", new long[] {1, 4}, "ids", new long[] {1, 3}, "t", new long[] {1}),
                    Map.of(), Map.of("y", new long[] {1, 3})))
                    .isInstanceOf(AtelierException.class).hasMessageContaining("'x'").hasMessageContaining("[?, 3]")
                    .hasMessageContaining("[1, 4]");
            assertThatThrownBy(() -> s.bind(Map.of("x", new long[] {1, 3}), Map.of(), Map.of("y", new long[] {1, 3})))
                    .isInstanceOf(AtelierException.class).hasMessageContaining("ids");
            try (BoundRun wrongOutput = s.bind(Map.of("x", new long[] {1, 3}, "ids", new long[] {1, 3}, "t", new long[] {1}),
                    Map.of(), Map.of("y", new long[] {2, 3}))) {
                assertThatThrownBy(wrongOutput::run).isInstanceOf(AtelierException.class)
                        .hasMessageContaining("mixed failed to run").hasMessageContaining("y[2, 3]");
            }
        }
    }
}
