package dev.atelier.vision.preprocess;

import java.awt.image.BufferedImage;

/**
 * Separable resampling in Pillow's manner: for output pixel i the kernel is centred on input coordinate
 * (i + 0.5)·scale, widened by the scale when shrinking, and its weights are normalised to sum to 1. Rows are
 * resampled as they are read, so a large picture is never held as floats in full.
 */
final class Resize {
    private Resize() {}

    /** Kernel taps for one axis: output i reads {@code count[i]} inputs from {@code start[i]}. */
    private record Taps(int[] start, int[] count, double[][] weight) {}

    /** RGB planes of 0…255 values, {@code outH × outW}, rounded and clamped as an 8-bit image would be. */
    static float[][] resize(BufferedImage image, boolean compositeOverWhite, int outH, int outW, Resampling filter) {
        int w = image.getWidth();
        int h = image.getHeight();
        boolean alpha = image.getColorModel().hasAlpha();
        Taps horizontal = taps(w, outW, filter);
        Taps vertical = taps(h, outH, filter);
        // Horizontal pass while reading rows: h × outW per channel.
        float[][] rows = new float[3][h * outW];
        int[] argb = new int[w];
        double[][] rgb = new double[3][w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                double r = (p >> 16) & 0xff;
                double g = (p >> 8) & 0xff;
                double b = p & 0xff;
                if (alpha && compositeOverWhite) {
                    double a = ((p >>> 24) & 0xff) / 255.0;
                    r = r * a + 255 * (1 - a);
                    g = g * a + 255 * (1 - a);
                    b = b * a + 255 * (1 - a);
                }
                rgb[0][x] = r;
                rgb[1][x] = g;
                rgb[2][x] = b;
            }
            for (int c = 0; c < 3; c++) {
                double[] in = rgb[c];
                float[] out = rows[c];
                for (int i = 0; i < outW; i++) out[y * outW + i] = (float) apply(horizontal, i, in, 0, 1);
            }
        }
        float[][] planes = new float[3][outH * outW];
        double[] column = new double[h];
        for (int c = 0; c < 3; c++) {
            float[] in = rows[c];
            for (int x = 0; x < outW; x++) {
                for (int y = 0; y < h; y++) column[y] = in[y * outW + x];
                for (int j = 0; j < outH; j++) {
                    planes[c][j * outW + x] = toByte(apply(vertical, j, column, 0, 1));
                }
            }
        }
        return planes;
    }

    private static double apply(Taps taps, int i, double[] in, int offset, int stride) {
        double sum = 0;
        double[] wts = taps.weight[i];
        int s = taps.start[i];
        for (int k = 0; k < taps.count[i]; k++) sum += wts[k] * in[offset + (s + k) * stride];
        return sum;
    }

    private static float toByte(double v) {
        if (!(v > 0)) return 0;
        if (v >= 255) return 255;
        return (float) Math.rint(v);
    }

    private static Taps taps(int inSize, int outSize, Resampling filter) {
        int[] start = new int[outSize];
        int[] count = new int[outSize];
        double[][] weight = new double[outSize][];
        double scale = (double) inSize / outSize;
        if (filter == Resampling.NEAREST) {
            for (int i = 0; i < outSize; i++) {
                start[i] = Math.min(inSize - 1, (int) Math.floor((i + 0.5) * scale));
                count[i] = 1;
                weight[i] = new double[] {1};
            }
            return new Taps(start, count, weight);
        }
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support() * filterScale;
        for (int i = 0; i < outSize; i++) {
            double centre = (i + 0.5) * scale;
            int lo = Math.max(0, (int) (centre - support + 0.5));
            int hi = Math.min(inSize, (int) (centre + support + 0.5));
            if (hi <= lo) hi = Math.min(inSize, lo + 1);
            double[] wts = new double[hi - lo];
            double total = 0;
            for (int k = 0; k < wts.length; k++) {
                wts[k] = filter.weight((lo + k - centre + 0.5) / filterScale);
                total += wts[k];
            }
            if (total != 0) {
                for (int k = 0; k < wts.length; k++) wts[k] /= total;
            } else {
                // A kernel that sums to zero here (never with Pillow's filters at sane sizes): take the nearest pixel.
                java.util.Arrays.fill(wts, 0);
                wts[Math.min(wts.length - 1, Math.max(0, (int) centre - lo))] = 1;
            }
            start[i] = lo;
            count[i] = wts.length;
            weight[i] = wts;
        }
        return new Taps(start, count, weight);
    }
}
