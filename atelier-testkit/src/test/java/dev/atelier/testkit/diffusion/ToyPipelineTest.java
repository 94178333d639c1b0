package dev.atelier.testkit.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The toy models compute exactly the closed forms their documentation promises. */
class ToyPipelineTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void writesTheOptimumLayout(@TempDir Path dir) throws Exception {
        ToyPipeline.write(dir, Spec.sdxl().withExternalData());
        for (String f : new String[] {"model_index.json", "tokenizer/vocab.json", "tokenizer/merges.txt",
                "tokenizer_2/vocab.json", "text_encoder/model.onnx", "text_encoder_2/model.onnx", "unet/model.onnx",
                "unet/model.onnx_data", "vae_decoder/model.onnx", "vae_decoder/config.json", "vae_encoder/model.onnx",
                "scheduler/scheduler_config.json"}) {
            assertThat(dir.resolve(f)).as(f).isRegularFile();
        }
        assertThat(Files.readString(dir.resolve("vae_decoder/config.json"))).contains("\"scaling_factor\":0.13025");
    }

    @Test
    void everyWordIsOneTokenAndBaseSymbolsFollowClipOrder() {
        ToyVocabulary v = ToyPipeline.vocabulary();
        assertThat(v.vocab().get("!")).isZero();
        assertThat(v.vocab().get("a")).isEqualTo(64); // as in CLIP's real vocabulary
        assertThat(v.vocab().get("a</w>")).isEqualTo(320); // "a" → 320 in the real vocabulary too
        assertThat(v.eosId()).isEqualTo(v.size() - 1);
        assertThat(v.bosId()).isEqualTo(v.size() - 2);
        assertThat(v.wordId("green")).isNotEqualTo(v.wordId("red"));
    }

    @Test
    void unetPredictsNoiseWhoseIdealX0IsThePromptColour(@TempDir Path dir) throws Exception {
        Spec spec = Spec.sd15().withIds(ElemType.INT64);
        ToyPipeline.write(dir, spec);
        ToyVocabulary v = ToyPipeline.vocabulary();
        long[] ids = new long[77];
        Arrays.fill(ids, v.eosId());
        ids[0] = v.bosId();
        ids[1] = v.wordId("red");
        ids[2] = v.wordId("blue");
        float[] states;
        try (OrtSession te = ENV.createSession(dir.resolve("text_encoder/model.onnx").toString());
             OnnxTensor in = OnnxTensor.createTensor(ENV, LongBuffer.wrap(ids), new long[] {1, 77});
             OrtSession.Result r = te.run(Map.of("input_ids", in))) {
            states = ((OnnxTensor) r.get("last_hidden_state").get()).getFloatBuffer().array();
        }
        float[] c = ToyPipeline.latentColour(spec, "red", "blue");
        double[] sigma = ToyPipeline.sigmas();
        float[] x = new float[4 * 2 * 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i + 1.0);
        try (OrtSession unet = ENV.createSession(dir.resolve("unet/model.onnx").toString());
             OnnxTensor sample = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), new long[] {1, 4, 2, 2});
             OnnxTensor t = OnnxTensor.createTensor(ENV, LongBuffer.wrap(new long[] {500}), new long[] {1});
             OnnxTensor ehs = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(states), new long[] {1, 77, 8});
             OrtSession.Result r = unet.run(Map.of("sample", sample, "timestep", t, "encoder_hidden_states", ehs))) {
            float[] eps = ((OnnxTensor) r.get(0)).getFloatBuffer().array();
            double alpha = 1 / Math.sqrt(1 + sigma[500] * sigma[500]);
            double beta = sigma[500] * alpha;
            for (int i = 0; i < x.length; i++) {
                double x0 = (x[i] - beta * eps[i]) / alpha;
                assertThat(x0).as("x0[%d]", i).isCloseTo(c[i / 4], within(1e-4));
            }
        }
    }

    @Test
    void fp16VaeDecodesTheFirstThreeChannelsOverEightByEightBlocks(@TempDir Path dir) throws Exception {
        ToyPipeline.write(dir, Spec.sd15().withFp16().withIds(ElemType.INT32));
        try (OrtSession vae = ENV.createSession(dir.resolve("vae_decoder/model.onnx").toString())) {
            assertThat(((TensorInfo) vae.getInputInfo().get("latent_sample").getInfo()).type).isEqualTo(OnnxJavaType.FLOAT16);
            short[] latent = new short[4];
            float[] values = {0.5f, -0.25f, 0.75f, 9f};
            for (int i = 0; i < 4; i++) latent[i] = Float.floatToFloat16(values[i]);
            try (OnnxTensor in = OnnxTensor.createTensor(ENV, ShortBuffer.wrap(latent), new long[] {1, 4, 1, 1}, OnnxJavaType.FLOAT16);
                 OrtSession.Result r = vae.run(Map.of("latent_sample", in))) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                assertThat(out.getInfo().getShape()).containsExactly(1, 3, 8, 8);
                ShortBuffer px = out.getShortBuffer();
                assertThat(Float.float16ToFloat(px.get(0))).isEqualTo(0.5f);
                assertThat(Float.float16ToFloat(px.get(64 + 63))).isEqualTo(-0.25f);
                assertThat(Float.float16ToFloat(px.get(128 + 9))).isEqualTo(0.75f);
            }
        }
        try (OrtSession te = ENV.createSession(dir.resolve("text_encoder/model.onnx").toString());
             OnnxTensor in = OnnxTensor.createTensor(ENV, IntBuffer.wrap(new int[77]), new long[] {1, 77});
             OrtSession.Result r = te.run(new HashMap<>(Map.of("input_ids", in)))) {
            assertThat(((OnnxTensor) r.get(0)).getInfo().getShape()).containsExactly(1, 77, 8);
        }
    }
}
