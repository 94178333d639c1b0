package dev.atelier.testkit.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import dev.atelier.testkit.onnx.OnnxModelBuilder.FloatAttr;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime must load what the builder writes and compute the graph's known result. */
class OnnxModelBuilderTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    // y = relu(x·W + b) · 0.5, with W = [[1,2],[3,4],[5,6]], b = [-10, 1]
    private static OnnxModelBuilder affineRelu() {
        return new OnnxModelBuilder("affine")
                .input("x", ElemType.FLOAT, "batch", 3)
                .initializer("w", new long[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6})
                .initializer("b", new long[] {2}, new float[] {-10, 1})
                .initializer("half", new long[] {}, new float[] {0.5f})
                .node("MatMul", List.of("x", "w"), List.of("xw"))
                .node("Add", List.of("xw", "b"), List.of("pre"))
                .node("Relu", List.of("pre"), List.of("act"))
                .node("Mul", List.of("act", "half"), List.of("y"))
                .output("y", ElemType.FLOAT, "batch", 2);
    }

    private static float[] run(OrtSession session, float[] x, long rows) throws Exception {
        try (OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), new long[] {rows, 3});
             OrtSession.Result r = session.run(Map.of("x", in))) {
            return ((OnnxTensor) r.get(0)).getFloatBuffer().array();
        }
    }

    @Test
    void runtimeComputesTheGraphWrittenInMemory() throws Exception {
        try (OrtSession s = ENV.createSession(affineRelu().build(), new OrtSession.SessionOptions())) {
            assertThat(s.getInputNames()).containsExactly("x");
            TensorInfo info = (TensorInfo) s.getInputInfo().get("x").getInfo();
            assertThat(info.getShape()).containsExactly(-1L, 3L); // "batch" is symbolic
            // row 1: [1,1,1]·W = [9,12] + b = [-1, 13] → relu [0,13] → [0, 6.5]
            // row 2: [2,0,1]·W = [7,10] + b = [-3, 11] → [0, 5.5]
            assertThat(run(s, new float[] {1, 1, 1, 2, 0, 1}, 2))
                    .containsExactly(new float[] {0f, 6.5f, 0f, 5.5f}, within(1e-6f));
            // row: [4,0,0]·W = [4,8] + b = [-6, 9] → [0, 4.5]; [0,0,3] → [15,18]+b=[5,19] → [2.5, 9.5]
            assertThat(run(s, new float[] {4, 0, 0, 0, 0, 3}, 2))
                    .containsExactly(new float[] {0f, 4.5f, 2.5f, 9.5f}, within(1e-6f));
        }
    }

    @Test
    void externalDataFilesAreReadFromBesideTheModel(@TempDir Path dir) throws Exception {
        Path model = affineRelu().writeWithExternalData(dir.resolve("unet/model.onnx"), "model.onnx_data", 8);
        assertThat(model.resolveSibling("model.onnx_data")).isNotEmptyFile();
        try (OrtSession s = ENV.createSession(model.toString(), new OrtSession.SessionOptions())) {
            assertThat(run(s, new float[] {1, 1, 1}, 1)).containsExactly(new float[] {0f, 6.5f}, within(1e-6f));
        }
    }

    @Test
    void float16InitializersAndAttributesWork() throws Exception {
        // y = Cast(x16 · w16 → float) then LeakyRelu(alpha=0.25)
        byte[] bytes = new OnnxModelBuilder("half")
                .input("x", ElemType.FLOAT16, 1, 2)
                .initializerFp16("w", new long[] {2, 1}, new float[] {1.5f, -2f})
                .node("MatMul", List.of("x", "w"), List.of("xw"))
                .node("Cast", List.of("xw"), List.of("xf"), Map.of("to", new OnnxModelBuilder.IntAttr(ElemType.FLOAT.code)))
                .node("LeakyRelu", List.of("xf"), List.of("y"), Map.of("alpha", new FloatAttr(0.25f)))
                .output("y", ElemType.FLOAT, 1, 1)
                .build();
        try (OrtSession s = ENV.createSession(bytes, new OrtSession.SessionOptions())) {
            TensorInfo info = (TensorInfo) s.getInputInfo().get("x").getInfo();
            assertThat(info.type).isEqualTo(ai.onnxruntime.OnnxJavaType.FLOAT16);
            java.nio.ShortBuffer half = java.nio.ShortBuffer.wrap(
                    new short[] {Float.floatToFloat16(2f), Float.floatToFloat16(3f)});
            try (OnnxTensor in = OnnxTensor.createTensor(ENV, half, new long[] {1, 2}, ai.onnxruntime.OnnxJavaType.FLOAT16);
                 OrtSession.Result r = s.run(Map.of("x", in))) {
                OnnxValue y = r.get(0);
                // 2·1.5 + 3·(−2) = −3 → leaky 0.25 → −0.75
                assertThat(((float[][]) y.getValue())[0][0]).isEqualTo(-0.75f);
            }
        }
    }
}
