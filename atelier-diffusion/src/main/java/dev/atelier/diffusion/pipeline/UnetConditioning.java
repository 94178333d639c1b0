package dev.atelier.diffusion.pipeline;

/**
 * What a kind of UNet takes after the 4 latent channels of its {@code sample}, the same at every step:
 * InstructPix2Pix's image latents, inpainting's mask ‖ masked-image latents, nothing for text-to-image. The
 * pipeline writes these channels into its bound sample buffer once per render, so a step only rewrites the latents.
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

    /** InstructPix2Pix: the input image's latents (unscaled), zeros for the entry without the image. */
    static UnetConditioning imageLatents(float[] imageLatents) {
        float[] none = new float[imageLatents.length];
        return new UnetConditioning() {
            @Override public int channels() { return VaeCodec.LATENT_CHANNELS; }
            @Override public float[] channelsFor(Guidance.Entry entry) { return entry.conditioned() ? imageLatents : none; }
        };
    }

    /** Inpainting: the latent-size mask (1 = repaint) followed by the masked image's (scaled) latents, in every entry. */
    static UnetConditioning maskAndMaskedImage(float[] latentMask, float[] maskedImageLatents) {
        float[] both = new float[latentMask.length + maskedImageLatents.length];
        System.arraycopy(latentMask, 0, both, 0, latentMask.length);
        System.arraycopy(maskedImageLatents, 0, both, latentMask.length, maskedImageLatents.length);
        return new UnetConditioning() {
            @Override public int channels() { return 1 + VaeCodec.LATENT_CHANNELS; }
            @Override public float[] channelsFor(Guidance.Entry entry) { return both; }
        };
    }
}
