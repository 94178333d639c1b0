package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

/** A 2048×1024 decode never hands the VAE more than one default tile, so its memory stays bounded. */
class LargeImageTilingTest {

    /** A VAE decoder in Java (first three channels, each over an 8×8 block) that records the largest input. */
    static final class RecordingDecoder implements ModelSession {
        long largestInput;
        int runs;

        @Override public String name() { return "vae_decoder"; }

        @Override public List<TensorSpec> inputs() {
            return List.of(new TensorSpec("latent_sample", ElementType.FLOAT, new long[] {-1, 4, -1, -1}));
        }

        @Override public List<TensorSpec> outputs() {
            return List.of(new TensorSpec("sample", ElementType.FLOAT, new long[] {-1, 3, -1, -1}));
        }

        @Override public PreparedInput prepare(String inputName, Tensor tensor) { throw new UnsupportedOperationException(); }

        @Override
        public Map<String, Tensor.Floats> run(Map<String, ? extends Feed> feeds, Set<String> outputs) {
            Tensor.Floats in = (Tensor.Floats) feeds.get("latent_sample");
            int h = (int) in.shape()[2];
            int w = (int) in.shape()[3];
            largestInput = Math.max(largestInput, (long) h * w);
            runs++;
            float[] out = new float[3 * 64 * h * w];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 8 * h; y++) {
                    for (int x = 0; x < 8 * w; x++) out[(c * 8 * h + y) * 8 * w + x] = in.data()[(c * h + y / 8) * w + x / 8];
                }
            }
            return Map.of("sample", new Tensor.Floats(new long[] {1, 3, 8L * h, 8L * w}, out));
        }

        @Override public long nanosInRuns() { return 0; }

        @Override public void close() {}
    }

    @Test
    void decodes2048x1024InTilesOfAtMost64x64Latents() {
        RecordingDecoder decoder = new RecordingDecoder();
        VaeCodec codec = new VaeCodec(decoder, null, 0.5, VaeTiling.defaults());
        int lh = 128;
        int lw = 256;
        float[] latents = new SeededNoise(9).gaussian(4 * lh * lw);
        float[] image = codec.decode(latents, lh, lw);
        assertThat(decoder.largestInput).isEqualTo(64 * 64);
        assertThat(decoder.runs).isEqualTo(3 * 5); // rows start 0, 48, 64; columns 0, 48, …, 192
        assertThat(image).hasSize(3 * 1024 * 2048);
        // pixel (x 1500, y 700) of the green channel = latent (1, 700/8, 1500/8) / scaling 0.5
        assertThat(image[(1024 + 700) * 2048 + 1500]).isCloseTo(latents[(lh + 700 / 8) * lw + 1500 / 8] * 2, within(1e-5f));
    }
}
