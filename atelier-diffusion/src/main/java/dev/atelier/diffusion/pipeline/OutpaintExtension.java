package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;

/**
 * How far to extend an image on each side (pixels, multiples of 8 so the new canvas keeps the latent grid of the
 * original) and how many pixels of the original along the extended sides are repainted too ({@code overlap}), so the
 * seam falls inside generated content rather than on the original's border.
 */
public record OutpaintExtension(int left, int top, int right, int bottom, int overlap) {

    public static final int DEFAULT_OVERLAP = 8;
    public static final int MAX_EXTENSION = GenerationRequest.MAX_SIDE;

    public OutpaintExtension {
        for (int side : new int[] {left, top, right, bottom}) {
            if (side < 0 || side > MAX_EXTENSION || side % 8 != 0) {
                throw new AtelierException("--left, --top, --right and --bottom must be multiples of 8 between 0 and "
                        + MAX_EXTENSION + ", got " + left + ", " + top + ", " + right + ", " + bottom);
            }
        }
        if (left + top + right + bottom == 0) {
            throw new AtelierException("nothing to outpaint: give at least one of --left, --top, --right, --bottom");
        }
        if (overlap < 0 || overlap > 64) {
            throw new AtelierException("--overlap must be between 0 and 64 pixels, got " + overlap);
        }
    }

    public static OutpaintExtension of(int left, int top, int right, int bottom) {
        return new OutpaintExtension(left, top, right, bottom, DEFAULT_OVERLAP);
    }

    public int canvasWidth(int imageWidth) { return left + imageWidth + right; }

    public int canvasHeight(int imageHeight) { return top + imageHeight + bottom; }

    /**
     * The repaint mask on the canvas (row-major, true = repaint): the new area plus {@code overlap} pixels of the
     * original along each extended side (at most a third of the original's side, so most of it is kept).
     */
    public boolean[] repaintMask(int imageWidth, int imageHeight) {
        int w = canvasWidth(imageWidth);
        int h = canvasHeight(imageHeight);
        int overlapX = Math.min(overlap, imageWidth / 3);
        int overlapY = Math.min(overlap, imageHeight / 3);
        int keptX0 = left + (left > 0 ? overlapX : 0);
        int keptX1 = left + imageWidth - (right > 0 ? overlapX : 0);
        int keptY0 = top + (top > 0 ? overlapY : 0);
        int keptY1 = top + imageHeight - (bottom > 0 ? overlapY : 0);
        boolean[] mask = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) mask[y * w + x] = x < keptX0 || x >= keptX1 || y < keptY0 || y >= keptY1;
        }
        return mask;
    }
}
