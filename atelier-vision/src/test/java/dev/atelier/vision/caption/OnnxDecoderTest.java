package dev.atelier.vision.caption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.diffusion.onnx.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Past key value bookkeeping, without a model. */
class OnnxDecoderTest {

    @Test
    void rowsFollowTheirBeams() {
        Tensor.Floats t = new Tensor.Floats(new long[] {3, 1, 1, 2}, new float[] {0, 1, 10, 11, 20, 21});
        Map<String, Tensor.Floats> out = OnnxDecoder.reorder(Map.of("past_key_values.0.key", t), new int[] {2, 0, 0});
        assertThat(out.get("past_key_values.0.key").data()).containsExactly(20, 21, 0, 1, 0, 1);
        assertThat(out.get("past_key_values.0.key").shape()).containsExactly(3, 1, 1, 2);
    }

    @Test
    void presentsBecomeThePastExceptKnownCrossAttentionCaches() {
        Tensor.Floats selfOld = new Tensor.Floats(new long[] {1, 1, 1, 1}, new float[] {1});
        Tensor.Floats crossOld = new Tensor.Floats(new long[] {1, 1, 1, 1}, new float[] {2});
        Tensor.Floats emptyCross = new Tensor.Floats(new long[] {1, 1, 0, 1}, new float[0]);
        Tensor.Floats selfNew = new Tensor.Floats(new long[] {1, 1, 2, 1}, new float[] {1, 3});
        Tensor.Floats crossPlaceholder = new Tensor.Floats(new long[] {1, 1, 0, 1}, new float[0]);
        Map<String, Tensor.Floats> previous = new LinkedHashMap<>();
        previous.put("past_key_values.0.decoder.key", selfOld);
        previous.put("past_key_values.0.encoder.key", crossOld);
        previous.put("past_key_values.1.encoder.key", emptyCross);
        Map<String, Tensor.Floats> out = Map.of("logits", selfNew, "present.0.decoder.key", selfNew,
                "present.0.encoder.key", crossPlaceholder, "present.1.encoder.key", crossOld);
        Map<String, Tensor.Floats> next = OnnxDecoder.presents(out, previous);
        assertThat(next).containsOnlyKeys("past_key_values.0.decoder.key", "past_key_values.0.encoder.key",
                "past_key_values.1.encoder.key");
        assertThat(next.get("past_key_values.0.decoder.key")).isSameAs(selfNew);
        assertThat(next.get("past_key_values.0.encoder.key")).isSameAs(crossOld); // known: kept
        assertThat(next.get("past_key_values.1.encoder.key")).isSameAs(crossOld); // was empty: taken
    }
}
