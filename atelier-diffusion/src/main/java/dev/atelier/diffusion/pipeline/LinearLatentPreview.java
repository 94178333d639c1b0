package dev.atelier.diffusion.pipeline;

import java.awt.image.BufferedImage;

/**
 * The cheap preview: each latent pixel's 4 channels times a fixed 4×3 matrix (plus bias) gives RGB in [-1, 1], at
 * latent resolution. The factors are the published approximations for the SD 1.x/2.x and SDXL latent spaces.
 */
public final class LinearLatentPreview implements LatentPreview {
    /** SD 1.x/2.x latent → RGB factors (rows: latent channels). */
    public static final float[][] SD_FACTORS = {
            {0.298f, 0.207f, 0.208f}, {0.187f, 0.286f, 0.173f}, {-0.158f, 0.189f, 0.264f}, {-0.184f, -0.271f, -0.473f}};
    /** SDXL latent → RGB factors and bias. */
    public static final float[][] SDXL_FACTORS = {
            {0.3651f, 0.4232f, 0.4341f}, {-0.2533f, -0.0042f, 0.1068f}, {0.1076f, 0.1111f, -0.0362f}, {-0.3165f, -0.2492f, -0.2188f}};
    public static final float[] SDXL_BIAS = {0.1084f, -0.0175f, -0.0011f};

    private final float[][] factors;
    private final float[] bias;

    public LinearLatentPreview(float[][] factors, float[] bias) {
        if (factors.length != 4) throw new IllegalArgumentException("need one row of 3 factors per latent channel");
        this.factors = factors;
        this.bias = bias;
    }

    public static LinearLatentPreview forModel(boolean xl) {
        return xl ? new LinearLatentPreview(SDXL_FACTORS, SDXL_BIAS) : new LinearLatentPreview(SD_FACTORS, new float[3]);
    }

    @Override
    public BufferedImage render(float[] latents, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            int rgb = 0;
            for (int ch = 0; ch < 3; ch++) {
                float v = bias[ch];
                for (int c = 0; c < 4; c++) v += latents[c * plane + i] * factors[c][ch];
                int byteValue = Math.round(Math.clamp((v + 1f) * 127.5f, 0f, 255f));
                rgb = (rgb << 8) | byteValue;
            }
            img.setRGB(i % w, i / w, rgb);
        }
        return img;
    }
}
