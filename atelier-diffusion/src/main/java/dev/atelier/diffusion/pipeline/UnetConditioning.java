package dev.atelier.diffusion.pipeline;

/**
 * What a kind of UNet takes after the 4 latent channels of its {@code sample}, the same at every step:
 * InstructPix2Pix's image latents, inpainting's mask ‖ masked-image latents, nothing for text-to-image. The
 * pipeline writes these channels into its bound sample buffers once per render, so a step only rewrites the latents.
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
}
