package dev.atelier.diffusion.pipeline;

/**
 * InstructPix2Pix's conditioning: the input image's latents (the VAE encoder's mode, unscaled) after the noisy
 * latents; zeros for the batch entry that runs without the image.
 */
final class ImageLatentsConditioning implements UnetConditioning {
    private final float[] imageLatents;
    private final float[] noImage;

    ImageLatentsConditioning(float[] imageLatents) {
        this.imageLatents = imageLatents;
        this.noImage = new float[imageLatents.length];
    }

    @Override
    public int channels() { return VaeCodec.LATENT_CHANNELS; }

    @Override
    public float[] channelsFor(Guidance.Entry entry) { return entry.conditioned() ? imageLatents : noImage; }
}
