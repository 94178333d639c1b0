package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.onnx.BoundRun;
import java.util.List;
import java.util.Map;

/**
 * What a kind of UNet takes besides the noisy latents, the timestep and the text states. Extra channels after the 4
 * latent ones of its {@code sample}, the same at every step (InstructPix2Pix's image latents, inpainting's mask ‖
 * masked-image latents), are written into the bound sample buffers once per render. Further named inputs that change
 * with the step (a ControlNet's residuals, computed from the step's latents) are declared by {@link #inputs} and
 * written by {@link #beforeRun}.
 */
interface UnetConditioning {

    /** No extra channels (text-to-image). */
    UnetConditioning NONE = new UnetConditioning() {
        @Override public int channels() { return 0; }
        @Override public float[] channelsFor(Guidance.Entry entry) { return new float[0]; }
    };

    /** Channels after the latents. */
    int channels();

    /** The extra channels [channels, h, w] of a batch entry (its {@link Guidance.Entry#conditioned} flag decides). */
    float[] channelsFor(Guidance.Entry entry);

    /** Further UNet inputs and their shapes for a run of {@code batch} entries; none by default. */
    default Map<String, long[]> inputs(int batch, int latentHeight, int latentWidth) {
        return Map.of();
    }

    /** Writes the further inputs into {@code run} before each UNet run, from the step's scaled latents and timestep. */
    default void beforeRun(BoundRun run, List<Guidance.Entry> entries, float[] scaledLatents, double timestep) {}
}
