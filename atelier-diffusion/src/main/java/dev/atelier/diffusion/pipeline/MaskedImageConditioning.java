package dev.atelier.diffusion.pipeline;

/**
 * Inpainting's conditioning: the mask at latent size (1 = repaint) followed by the masked image's latents (scaled
 * like any latents), the same in every batch entry.
 */
final class MaskedImageConditioning implements UnetConditioning {
    private final float[] maskThenLatents;

    MaskedImageConditioning(float[] latentMask, float[] maskedImageLatents) {
        maskThenLatents = new float[latentMask.length + maskedImageLatents.length];
        System.arraycopy(latentMask, 0, maskThenLatents, 0, latentMask.length);
        System.arraycopy(maskedImageLatents, 0, maskThenLatents, latentMask.length, maskedImageLatents.length);
    }

    @Override
    public int channels() { return 1 + VaeCodec.LATENT_CHANNELS; }

    @Override
    public float[] channelsFor(Guidance.Entry entry) { return maskThenLatents; }
}
