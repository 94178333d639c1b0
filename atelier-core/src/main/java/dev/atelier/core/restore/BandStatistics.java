package dev.atelier.core.restore;

import java.awt.image.BufferedImage;

/**
 * Per-channel (R, G, B in [0, 255]) mean and standard deviation of the pixels on one side of a seam, within
 * {@code band} pixels of it.
 */
public record BandStatistics(double[] mean, double[] std, int count) {

    /** Statistics of {@code image}'s pixels on the {@code generatedSide} of {@code mask}, within {@code band} of the seam. */
    public static BandStatistics of(BufferedImage image, boolean[] mask, int band, boolean generatedSide) {
        int w = image.getWidth();
        int h = image.getHeight();
        return of(SeamRestoration.planes(image), mask, SeamDistance.toOtherSide(mask, w, h), 0, band, generatedSide);
    }

    /** Pixels with {@code nearest < distance ≤ farthest} on the given side. */
    static BandStatistics of(float[][] planes, boolean[] mask, int[] distance, int nearest, int farthest,
                             boolean generatedSide) {
        double[] sum = new double[3];
        double[] squares = new double[3];
        int n = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != generatedSide || distance[i] <= nearest || distance[i] > farthest) continue;
            n++;
            for (int c = 0; c < 3; c++) {
                sum[c] += planes[c][i];
                squares[c] += (double) planes[c][i] * planes[c][i];
            }
        }
        double[] mean = new double[3];
        double[] std = new double[3];
        for (int c = 0; c < 3 && n > 0; c++) {
            mean[c] = sum[c] / n;
            std[c] = Math.sqrt(Math.max(0, squares[c] / n - mean[c] * mean[c]));
        }
        return new BandStatistics(mean, std, n);
    }

    /**
     * Seam mismatch: the mean over channels of |mean_generated − mean_preserved| in the band, in levels of 255 — what
     * the eye reads as a colour step across the seam.
     */
    public static double meanDifference(BufferedImage image, boolean[] mask, int band) {
        BandStatistics generated = of(image, mask, band, true);
        BandStatistics preserved = of(image, mask, band, false);
        double d = 0;
        for (int c = 0; c < 3; c++) d += Math.abs(generated.mean[c] - preserved.mean[c]);
        return d / 3;
    }

    /** The mean over channels of |std_generated − std_preserved| in the band (contrast step across the seam). */
    public static double stdDifference(BufferedImage image, boolean[] mask, int band) {
        BandStatistics generated = of(image, mask, band, true);
        BandStatistics preserved = of(image, mask, band, false);
        double d = 0;
        for (int c = 0; c < 3; c++) d += Math.abs(generated.std[c] - preserved.std[c]);
        return d / 3;
    }
}
