package dev.atelier.core.restore;

import java.awt.image.BufferedImage;

/**
 * Hides the seam between a generated region and the preserved rest of an image, the goal LLMGA's restoration network
 * serves, done here without a network in two steps:
 * <ol>
 *   <li>colour matching: the generated pixels are shifted and scaled per RGB channel so that, in a band of
 *       {@code band} pixels on the generated side of the seam, their mean and standard deviation equal those of the
 *       preserved band (Reinhard-style transfer); the correction is full in the band and fades to none at twice
 *       its width, so content far from the seam keeps its own colours;</li>
 *   <li>multi-band blending: Laplacian bands of the preserved and the generated image are mixed with the mask blurred
 *       to the band's scale (an undecimated pyramid), so coarse colour crosses the seam smoothly and fine detail
 *       stays sharp.</li>
 * </ol>
 * Preserved pixels farther than {@code band} from the seam come back exactly.
 *
 * @param band width in pixels, on each side of the seam, of the statistics and of the blend
 */
public record SeamRestoration(int band) {

    public static final int DEFAULT_BAND = 16;

    public SeamRestoration {
        if (band < 2 || band > 256) throw new IllegalArgumentException("band must be 2..256 pixels, got " + band);
    }

    /** Pyramid levels whose blur support 2·(2^levels − 1) stays inside the band. */
    public int levels() {
        int levels = 0;
        while (2 * ((1 << (levels + 1)) - 1) <= band) levels++;
        return Math.max(1, levels);
    }

    /**
     * Restores the seam. {@code preserved} holds the pixels to keep (outside {@code generated}); {@code generated}
     * holds the new pixels inside it (and, best, a plausible extension of the preserved content outside it, which is
     * what an inpainting result is). Both have the same size; {@code generatedMask} is row-major, true = generated.
     */
    public BufferedImage restore(BufferedImage preserved, BufferedImage generatedImage, boolean[] generatedMask) {
        return restore(preserved, generatedImage, generatedMask, 0);
    }

    /**
     * As {@link #restore(BufferedImage, BufferedImage, boolean[])} for a generated image that was already pasted
     * with a feather: generated pixels d ≤ {@code pasteFeather} from the seam hold only d/(feather + 1) of generated
     * content (the rest is the original), so they are left out of the statistics and corrected in that proportion.
     */
    public BufferedImage restore(BufferedImage preserved, BufferedImage generatedImage, boolean[] generatedMask,
                                 int pasteFeather) {
        int w = preserved.getWidth();
        int h = preserved.getHeight();
        requireSize(generatedImage, w, h, generatedMask);
        float[][] kept = planes(preserved);
        float[][] matched = matchColours(planes(generatedImage), kept, generatedMask, w, h, band, pasteFeather);
        float[][] blended = multiBandBlend(kept, matched, generatedMask, w, h, levels());
        int[] distance = SeamDistance.toOtherSide(generatedMask, w, h);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                boolean farKept = !generatedMask[i] && distance[i] > band;
                out.setRGB(x, y, farKept ? preserved.getRGB(x, y) & 0xffffff : rgb(blended, i));
            }
        }
        return out;
    }

    /**
     * Per-channel mean/std transfer from the preserved band onto the generated pixels, weighted 1 up to {@code band}
     * pixels from the seam and fading linearly to 0 at {@code 2·band}, counted past the paste feather. Channels in
     * [0, 255].
     */
    static float[][] matchColours(float[][] generated, float[][] preserved, boolean[] mask, int w, int h, int band,
                                  int feather) {
        int[] distance = SeamDistance.toOtherSide(mask, w, h);
        BandStatistics inBand = BandStatistics.of(generated, mask, distance, feather, band + feather, true);
        BandStatistics reference = BandStatistics.of(preserved, mask, distance, 0, band, false);
        float[][] out = new float[3][];
        for (int c = 0; c < 3; c++) {
            out[c] = generated[c].clone();
            if (inBand.count() == 0 || reference.count() == 0) continue;
            // a flat generated band has no contrast to rescale: shift its mean only
            double gain = inBand.std()[c] < 1 ? 1 : Math.clamp(reference.std()[c] / inBand.std()[c], 0.25, 4);
            for (int i = 0; i < w * h; i++) {
                if (!mask[i]) continue;
                int d = distance[i] - feather;
                double share = d <= 0 ? (double) distance[i] / (feather + 1) : 1; // generated share of a feathered pixel
                double fade = d <= band ? 1 : Math.max(0, 2.0 - (double) d / band);
                double weight = share * fade;
                if (weight == 0) continue;
                double corrected = (generated[c][i] - inBand.mean()[c]) * gain + reference.mean()[c];
                out[c][i] = (float) (generated[c][i] + weight * (corrected - generated[c][i]));
            }
        }
        return out;
    }

    /**
     * Multi-band blend of two images over a binary mask (true = take {@code inside}): band k of each image is
     * G_k − G_{k+1}, with G_0 the image and G_{k+1} G_k blurred by the 5-tap binomial kernel at spacing 2^k; each
     * band is mixed by the mask blurred to the same level, the coarsest residual by the coarsest mask. Two equal
     * images come back unchanged; pixels farther than 2·(2^levels − 1) from the seam take one side exactly.
     */
    static float[][] multiBandBlend(float[][] outside, float[][] inside, boolean[] mask, int w, int h, int levels) {
        float[] weight = new float[w * h];
        for (int i = 0; i < weight.length; i++) weight[i] = mask[i] ? 1f : 0f;
        float[][] out = new float[3][w * h];
        float[][] outsideLevel = {outside[0], outside[1], outside[2]};
        float[][] insideLevel = {inside[0], inside[1], inside[2]};
        for (int k = 0; k < levels; k++) {
            int spacing = 1 << k;
            for (int c = 0; c < 3; c++) {
                float[] outsideNext = blur(outsideLevel[c], w, h, spacing);
                float[] insideNext = blur(insideLevel[c], w, h, spacing);
                for (int i = 0; i < w * h; i++) {
                    float a = weight[i];
                    out[c][i] += (1 - a) * (outsideLevel[c][i] - outsideNext[i]) + a * (insideLevel[c][i] - insideNext[i]);
                }
                outsideLevel[c] = outsideNext;
                insideLevel[c] = insideNext;
            }
            weight = blur(weight, w, h, spacing);
        }
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < w * h; i++) {
                out[c][i] += (1 - weight[i]) * outsideLevel[c][i] + weight[i] * insideLevel[c][i];
            }
        }
        return out;
    }

    /** Separable [1 4 6 4 1]/16 blur with taps {@code spacing} apart, edges replicated. */
    static float[] blur(float[] plane, int w, int h, int spacing) {
        float[] rows = new float[w * h];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                rows[row + x] = tap(plane[row + clampIndex(x - 2 * spacing, w)], plane[row + clampIndex(x - spacing, w)],
                        plane[row + x], plane[row + clampIndex(x + spacing, w)], plane[row + clampIndex(x + 2 * spacing, w)]);
            }
        }
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            int a = clampIndex(y - 2 * spacing, h) * w;
            int b = clampIndex(y - spacing, h) * w;
            int d = clampIndex(y + spacing, h) * w;
            int e = clampIndex(y + 2 * spacing, h) * w;
            for (int x = 0; x < w; x++) {
                out[y * w + x] = tap(rows[a + x], rows[b + x], rows[y * w + x], rows[d + x], rows[e + x]);
            }
        }
        return out;
    }

    private static float tap(float a, float b, float c, float d, float e) {
        return (a + e + 4 * (b + d) + 6 * c) / 16f;
    }

    private static int clampIndex(int i, int n) {
        return i < 0 ? 0 : Math.min(i, n - 1);
    }

    /** The image as three planes R, G, B in [0, 255]. */
    static float[][] planes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[][] out = new float[3][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                out[0][y * w + x] = (p >> 16) & 0xff;
                out[1][y * w + x] = (p >> 8) & 0xff;
                out[2][y * w + x] = p & 0xff;
            }
        }
        return out;
    }

    static int rgb(float[][] planes, int i) {
        int rgb = 0;
        for (int c = 0; c < 3; c++) rgb |= Math.clamp(Math.round(planes[c][i]), 0, 255) << (16 - 8 * c);
        return rgb;
    }

    private static void requireSize(BufferedImage image, int w, int h, boolean[] mask) {
        if (image.getWidth() != w || image.getHeight() != h || mask.length != w * h) {
            throw new IllegalArgumentException("the generated image and the mask must have the preserved image's size "
                    + w + "x" + h);
        }
    }
}
