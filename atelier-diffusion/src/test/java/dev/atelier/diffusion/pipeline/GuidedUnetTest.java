package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.diffusion.onnx.BoundRun;
import dev.atelier.diffusion.onnx.ElementType;
import dev.atelier.diffusion.onnx.Feed;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.PreparedInput;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.diffusion.onnx.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The bound UNet over a UNet written in Java: ε = sample's latents + "control" + each entry's first text state. A
 * conditioning that writes a further input every step (as a ControlNet's residuals would be) needs no pipeline of
 * its own, and the guidance sees each entry's prediction in its order.
 */
class GuidedUnetTest {

    /** out_sample[b] = sample[b] + control[b] (broadcast over channels) + encoder_hidden_states[b][0]. */
    static final class JavaUnet implements ModelSession {
        int runs;
        int bindings;

        @Override
        public BoundRun bind(Map<String, long[]> writable, Map<String, PreparedInput> fixed, Map<String, long[]> outputs) {
            bindings++;
            return ModelSession.super.bind(writable, fixed, outputs);
        }

        @Override public String name() { return "unet"; }

        @Override public List<TensorSpec> inputs() {
            return List.of(new TensorSpec("sample", ElementType.FLOAT, new long[] {-1, 4, -1, -1}),
                    new TensorSpec("timestep", ElementType.INT64, new long[] {1}),
                    new TensorSpec("encoder_hidden_states", ElementType.FLOAT, new long[] {-1, -1, 2}),
                    new TensorSpec("control", ElementType.FLOAT, new long[] {-1, 1, -1, -1}));
        }

        @Override public List<TensorSpec> outputs() {
            return List.of(new TensorSpec("out_sample", ElementType.FLOAT, new long[] {-1, 4, -1, -1}));
        }

        @Override public PreparedInput prepare(String inputName, Tensor tensor) { throw new UnsupportedOperationException(); }

        @Override
        public Map<String, Tensor.Floats> run(Map<String, ? extends Feed> feeds, Set<String> outputs) {
            runs++;
            Tensor.Floats sample = (Tensor.Floats) feeds.get("sample");
            Tensor.Floats control = (Tensor.Floats) feeds.get("control");
            Tensor.Floats states = (Tensor.Floats) feeds.get("encoder_hidden_states");
            int batch = (int) sample.shape()[0];
            int plane = (int) (sample.shape()[2] * sample.shape()[3]);
            int stateLength = (int) (states.shape()[1] * states.shape()[2]);
            float[] out = new float[sample.data().length];
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < 4 * plane; i++) {
                    out[b * 4 * plane + i] = sample.data()[b * 4 * plane + i] + control.data()[b * plane + i % plane]
                            + states.data()[b * stateLength];
                }
            }
            return Map.of("out_sample", new Tensor.Floats(sample.shape(), out));
        }

        @Override public long nanosInRuns() { return 0; }

        @Override public void close() {}
    }

    /** Writes control = the step's timestep, fresh before every run. */
    static final class TimestepControl implements UnetConditioning {
        @Override public int channels() { return 0; }

        @Override public float[] channelsFor(Guidance.Entry entry) { return new float[0]; }

        @Override public Map<String, long[]> inputs(int batch, int latentHeight, int latentWidth) {
            return Map.of("control", new long[] {batch, 1, latentHeight, latentWidth});
        }

        @Override
        public void beforeRun(BoundRun run, List<Guidance.Entry> entries, float[] scaledLatents, double timestep) {
            run.input("control").fill((float) timestep);
        }
    }

    static PromptEncoder.Encoded text(float first) {
        return new PromptEncoder.Encoded(new float[] {first, 0, 0, 0}, 2, 2, null);
    }

    @Test
    void aConditioningWritesItsOwnInputEveryStepAndTheGuidanceCombinesTheEntries() {
        JavaUnet session = new JavaUnet();
        Unet unet = new Unet(session);
        float[] latents = new float[4 * 2 * 3];
        for (int i = 0; i < latents.length; i++) latents[i] = i;
        // CFG with scale 3 over uncond (state 1) and cond (state 2): ε = u + 3(c − u) = latents + t + 1 + 3·1
        Guidance cfg = ClassifierFreeGuidance.guided(text(1), text(2), 3, 0);
        try (GuidedUnet guided = unet.bind(cfg, new TimestepControl(), 2, 3, 16, 24, 3)) {
            float[] first = guided.predict(latents, 10).clone();
            float[] second = guided.predict(latents, 20);
            for (int i = 0; i < latents.length; i++) {
                assertThat(first[i]).isEqualTo(latents[i] + 10 + 1 + 3);
                assertThat(second[i]).isEqualTo(latents[i] + 20 + 1 + 3);
            }
            assertThat(guided.unetRuns()).isEqualTo(2);
        }
        // a later render of the same shapes reuses the buffers with its own text states written in
        try (GuidedUnet again = unet.bind(ClassifierFreeGuidance.guided(text(5), text(5), 3, 0), new TimestepControl(),
                2, 3, 16, 24, 3)) {
            float[] e = again.predict(latents, 1);
            for (int i = 0; i < latents.length; i++) assertThat(e[i]).isEqualTo(latents[i] + 1 + 5);
        }
        assertThat(session.runs).isEqualTo(3);
        assertThat(session.bindings).isEqualTo(1);
        unet.close();
    }
}
