package dev.atelier.core.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seam restoration on a 64×48 textured image whose left half (x < 32) was "generated" with a brightness and contrast
 * offset (0.6·v + 60) against the preserved right half.
 */
class SeamRestorationTest {
    static final int W = 64;
    static final int H = 48;
    static final int SEAM = 32;

    static int texture(int x, int y, Random noise) {
        int r = 60 + 2 * x + noise.nextInt(40);
        int g = 90 + 2 * y + noise.nextInt(40);
        int b = 140 + noise.nextInt(80);
        return (r << 16) | (g << 8) | b;
    }

    static BufferedImage textured(long seed) {
        Random noise = new Random(seed);
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) image.setRGB(x, y, texture(x, y, noise));
        return image;
    }

    static BufferedImage offsetLeftHalf(BufferedImage image) {
        BufferedImage out = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int p = image.getRGB(x, y) & 0xffffff;
                if (x < SEAM) {
                    int q = 0;
                    for (int shift = 16; shift >= 0; shift -= 8) q |= Math.round(0.6f * ((p >> shift) & 0xff) + 60) << shift;
                    p = q;
                }
                out.setRGB(x, y, p);
            }
        }
        return out;
    }

    static boolean[] leftHalf() {
        boolean[] mask = new boolean[W * H];
        for (int y = 0; y < H; y++) for (int x = 0; x < SEAM; x++) mask[y * W + x] = true;
        return mask;
    }

    @Test
    void theBandsColourStatisticsMatchAfterRestoration() {
        BufferedImage preserved = textured(7);
        BufferedImage generated = offsetLeftHalf(preserved);
        boolean[] mask = leftHalf();
        int band = 16;
        double meanBefore = BandStatistics.meanDifference(generated, mask, band);
        double stdBefore = BandStatistics.stdDifference(generated, mask, band);

        BufferedImage restored = new SeamRestoration(band).restore(preserved, generated, mask);

        double meanAfter = BandStatistics.meanDifference(restored, mask, band);
        double stdAfter = BandStatistics.stdDifference(restored, mask, band);
        assertThat(meanBefore).as("mean step before").isGreaterThan(10);
        assertThat(stdBefore).as("contrast step before").isGreaterThan(4);
        assertThat(meanAfter).as("mean step after").isLessThan(1.5);
        assertThat(stdAfter).as("contrast step after").isLessThan(1.5);
    }

    @Test
    void preservedPixelsFartherThanTheBandAreExactAndGeneratedFarPixelsKeepTheirColours() {
        BufferedImage preserved = textured(11);
        BufferedImage generated = offsetLeftHalf(preserved);
        int band = 8;
        BufferedImage restored = new SeamRestoration(band).restore(preserved, generated, leftHalf());
        int changedNear = 0;
        for (int y = 0; y < H; y++) {
            for (int x = SEAM + band; x < W; x++) {
                assertThat(restored.getRGB(x, y)).as("kept (%d,%d)", x, y).isEqualTo(preserved.getRGB(x, y));
            }
            for (int x = 0; x < SEAM - 2 * band - 2 * ((1 << new SeamRestoration(band).levels()) - 1); x++) {
                assertThat(restored.getRGB(x, y)).as("far generated (%d,%d)", x, y).isEqualTo(generated.getRGB(x, y));
            }
            if (restored.getRGB(SEAM - 1, y) != generated.getRGB(SEAM - 1, y)) changedNear++;
        }
        assertThat(changedNear).as("seam pixels restored").isGreaterThan(H / 2);
    }

    @Test
    void multiBandBlendOfTwoFlatImagesIsMonotoneAcrossTheSeamAndExactFarFromIt() {
        float[][] dark = flat(40);
        float[][] light = flat(200);
        boolean[] mask = leftHalf();
        int levels = 3;
        float[][] blended = SeamRestoration.multiBandBlend(dark, light, mask, W, H, levels);
        int reach = 2 * ((1 << levels) - 1);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                float v = blended[0][y * W + x];
                if (x < SEAM - reach) assertThat(v).as("inside (%d,%d)", x, y).isEqualTo(200f);
                if (x >= SEAM + reach) assertThat(v).as("outside (%d,%d)", x, y).isEqualTo(40f);
                if (x > 0) assertThat(v).as("monotone at (%d,%d)", x, y).isLessThanOrEqualTo(blended[0][y * W + x - 1]);
            }
        }
        float atSeam = blended[0][H / 2 * W + SEAM];
        assertThat(atSeam).as("the step is spread").isGreaterThan(40f).isLessThan(200f);
        assertThat(blended[0][H / 2 * W + SEAM - 1] - atSeam).as("no hard step").isLessThan(80f);
    }

    @Test
    void featheredPastesAreCorrectedByTheirGeneratedShareOnly() {
        BufferedImage preserved = textured(5);
        int feather = 4;
        // a flat generated half pasted as inpainting does: weight d/(feather+1) of generated within the feather
        BufferedImage pasted = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int o = preserved.getRGB(x, y);
                int d = SEAM - x;
                float a = x >= SEAM ? 0 : Math.min(1f, (float) d / (feather + 1));
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) rgb |= Math.round(a * 220 + (1 - a) * ((o >> shift) & 0xff)) << shift;
                pasted.setRGB(x, y, rgb);
            }
        }
        boolean[] mask = leftHalf();
        SeamRestoration restoration = new SeamRestoration(16);
        double aware = seamColumnError(restoration.restore(preserved, pasted, mask, feather), preserved);
        double unaware = seamColumnError(restoration.restore(preserved, pasted, mask, 0), preserved);
        assertThat(aware).as("seam column off the original, feather-aware").isLessThan(6);
        assertThat(unaware).as("seam column off the original when the feather is taken for generated content")
                .isGreaterThan(2 * aware);
        assertThat(BandStatistics.meanDifference(restoration.restore(preserved, pasted, mask, feather), mask, 16))
                .isLessThan(BandStatistics.meanDifference(pasted, mask, 16) / 5);
    }

    /** Mean absolute difference, over channels and rows, of the generated column touching the seam from the original. */
    static double seamColumnError(BufferedImage image, BufferedImage original) {
        double sum = 0;
        for (int y = 0; y < H; y++) {
            int a = image.getRGB(SEAM - 1, y);
            int b = original.getRGB(SEAM - 1, y);
            for (int shift = 16; shift >= 0; shift -= 8) sum += Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff));
        }
        return sum / (3.0 * H);
    }

    @Test
    void equalImagesBlendToThemselves() {
        float[][] image = SeamRestoration.planes(textured(3));
        float[][] blended = SeamRestoration.multiBandBlend(image, image, leftHalf(), W, H, 3);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < W * H; i++) assertThat(blended[c][i]).isCloseTo(image[c][i], within(1e-3f));
        }
    }

    @Test
    void seamDistanceCountsFromTheEdgeOnBothSides() {
        int[] d = SeamDistance.toOtherSide(leftHalf(), W, H);
        assertThat(d[5 * W + SEAM - 1]).isEqualTo(1);
        assertThat(d[5 * W + SEAM]).isEqualTo(1);
        assertThat(d[5 * W + SEAM - 10]).isEqualTo(10);
        assertThat(d[5 * W + SEAM + 9]).isEqualTo(10);
        assertThat(new SeamRestoration(16).levels()).isEqualTo(3);
        assertThat(new SeamRestoration(8).levels()).isEqualTo(2);
    }

    static float[][] flat(float v) {
        float[][] out = new float[3][W * H];
        for (float[] plane : out) java.util.Arrays.fill(plane, v);
        return out;
    }
}
