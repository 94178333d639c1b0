package dev.atelier.core.restore;

/** Chessboard distance from each pixel to the nearest pixel on the other side of a binary mask's edge. */
public final class SeamDistance {
    private SeamDistance() {}

    /**
     * For each pixel, 1 + the chessboard distance to the nearest pixel of the other side (so pixels touching the seam
     * have 1); {@code Integer.MAX_VALUE / 2} when the other side is empty.
     */
    public static int[] toOtherSide(boolean[] mask, int w, int h) {
        int far = Integer.MAX_VALUE / 2;
        int[] inside = new int[w * h];
        int[] outside = new int[w * h];
        for (int i = 0; i < mask.length; i++) {
            inside[i] = mask[i] ? far : 0;
            outside[i] = mask[i] ? 0 : far;
        }
        chamfer(inside, w, h);
        chamfer(outside, w, h);
        int[] out = new int[w * h];
        for (int i = 0; i < out.length; i++) out[i] = mask[i] ? inside[i] : outside[i];
        return out;
    }

    /** Two-pass chamfer transform in place: non-zero cells get 1 + their distance to the nearest zero cell. */
    private static void chamfer(int[] d, int w, int h) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (d[i] == 0) continue;
                if (x > 0) d[i] = Math.min(d[i], d[i - 1] + 1);
                if (y > 0) {
                    d[i] = Math.min(d[i], d[i - w] + 1);
                    if (x > 0) d[i] = Math.min(d[i], d[i - w - 1] + 1);
                    if (x < w - 1) d[i] = Math.min(d[i], d[i - w + 1] + 1);
                }
            }
        }
        for (int y = h - 1; y >= 0; y--) {
            for (int x = w - 1; x >= 0; x--) {
                int i = y * w + x;
                if (d[i] == 0) continue;
                if (x < w - 1) d[i] = Math.min(d[i], d[i + 1] + 1);
                if (y < h - 1) {
                    d[i] = Math.min(d[i], d[i + w] + 1);
                    if (x < w - 1) d[i] = Math.min(d[i], d[i + w + 1] + 1);
                    if (x > 0) d[i] = Math.min(d[i], d[i + w - 1] + 1);
                }
            }
        }
    }
}
