package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.OrtSessions;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiled VAE decode/encode equals the untiled result on the linear toy VAE. */
class VaeCodecTest {

    @Test
    void tileStartsCoverTheLengthWithTheLastTileFlushAtTheEnd() {
        assertThat(VaeCodec.starts(8, 8, 2)).containsExactly(0);
        assertThat(VaeCodec.starts(10, 4, 1)).containsExactly(0, 3, 6);
        assertThat(VaeCodec.starts(11, 4, 1)).containsExactly(0, 3, 6, 7);
        assertThat(VaeCodec.starts(256, 64, 16)).containsExactly(0, 48, 96, 144, 192);
    }

    @Test
    void tiledEqualsUntiled(@TempDir Path dir) throws Exception {
        Spec spec = Spec.sd15();
        ToyPipeline.write(dir, spec);
        SessionSettings s = SessionSettings.defaults();
        try (ModelSession dec = OrtSessions.open("vae_decoder", dir.resolve("vae_decoder/model.onnx"), s);
             ModelSession enc = OrtSessions.open("vae_encoder", dir.resolve("vae_encoder/model.onnx"), s)) {
            VaeCodec whole = new VaeCodec(dec, enc, spec.scalingFactor(), VaeTiling.never());
            VaeCodec tiles = new VaeCodec(dec, enc, spec.scalingFactor(), VaeTiling.always(4, 2));
            int lh = 6;
            int lw = 11;
            float[] latents = new SeededNoise(5).gaussian(4 * lh * lw);
            float[] a = whole.decode(latents, lh, lw);
            float[] b = tiles.decode(latents, lh, lw);
            assertThat(b).hasSize(3 * 48 * 88).containsExactly(a, within(1e-5f));
            // the toy decoder shows latent channel c / s at every pixel of its 8×8 block
            assertThat(a[(48 + 9) * 88 + 17]).isCloseTo((float) (latents[lh * lw + lw + 2] / spec.scalingFactor()), within(1e-4f));

            float[] image = new SeededNoise(6).gaussian(3 * 48 * 88);
            float[] ea = whole.encode(image, 48, 88);
            float[] eb = tiles.encode(image, 48, 88);
            assertThat(eb).hasSize(4 * lh * lw).containsExactly(ea, within(1e-5f));
        }
    }
}
