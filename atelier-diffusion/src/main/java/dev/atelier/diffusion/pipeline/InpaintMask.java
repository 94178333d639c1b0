package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import java.awt.image.BufferedImage;

/**
 * A binary repaint mask at image resolution (1 = repaint): a grey level above {@value #THRESHOLD} of 255 marks a
 * pixel for repainting, as LLMGA thresholds its masks. Also gives the mask at latent resolution and the feathered
 * weights that paste the original back.
 */
public final class InpaintMask {
    public static final int THRESHOLD = 125;

    private final boolean[] repaint;
    private final int width;
    private final int height;

    private InpaintMask(boolean[] repaint, int width, int height) {
        this.repaint = repaint;
        this.width = width;
        this.height = height;
    }

    /**
     * Thresholds {@code mask}'s grey level (the mean of R, G, B) and resizes it (nearest neighbour, so it stays
     * binary) to {@code width × height}.
     */
    public static InpaintMask of(BufferedImage mask, int width, int height) {
        int mw = mask.getWidth();
        int mh = mask.getHeight();
        boolean[] out = new boolean[width * height];
        boolean any = false;
        for (int y = 0; y < height; y++) {
            int sy = Math.min(mh - 1, (int) ((y + 0.5) * mh / height));
            for (int x = 0; x < width; x++) {
                int sx = Math.min(mw - 1, (int) ((x + 0.5) * mw / width));
                int rgb = mask.getRGB(sx, sy);
                int grey = (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / 3;
                boolean on = grey > THRESHOLD;
                out[y * width + x] = on;
                any |= on;
            }
        }
        if (!any) {
            throw new AtelierException("the mask marks nothing to repaint (no pixel brighter than " + THRESHOLD
                    + " of 255); paint the area to change white on black");
        }
        return new InpaintMask(out, width, height);
    }

    public int width() { return width; }

    public int height() { return height; }

    public boolean repaints(int x, int y) { return repaint[y * width + x]; }

    /**
     * The mask at latent resolution [h/8, w/8]: 1 where any pixel of the 8×8 block is repainted, so the latent region
     * covers every repainted pixel (outside the mask the original is pasted back anyway).
     */
    float[] latent() {
        int lh = height / 8;
        int lw = width / 8;
        float[] out = new float[lh * lw];
        for (int y = 0; y < lh * 8; y++) {
            for (int x = 0; x < lw * 8; x++) {
                if (repaint[y * width + x]) out[(y / 8) * lw + x / 8] = 1f;
            }
        }
        return out;
    }

    /** {@code image} [3, H, W] in [-1, 1] with the repainted pixels set to 0 (grey): image · (mask < 0.5). */
    float[] maskOut(float[] image) {
        float[] out = image.clone();
        int plane = width * height;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) if (repaint[i]) out[c * plane + i] = 0f;
        }
        return out;
    }

    /**
     * Weight of the generated pixel per pixel: 0 outside the mask (the original stays exact), rising inside over
     * {@code feather} pixels from the mask's edge to 1, so the seam is soft. Distances are chessboard distances.
     */
    float[] blendWeights(int feather) {
        int[] d = new int[width * height];
        int far = width + height;
        for (int i = 0; i < d.length; i++) d[i] = repaint[i] ? far : 0;
        // two-pass chamfer transform: distance of each repainted pixel to the nearest kept pixel
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                if (d[i] == 0) continue;
                if (x > 0) d[i] = Math.min(d[i], d[i - 1] + 1);
                if (y > 0) {
                    d[i] = Math.min(d[i], d[i - width] + 1);
                    if (x > 0) d[i] = Math.min(d[i], d[i - width - 1] + 1);
                    if (x < width - 1) d[i] = Math.min(d[i], d[i - width + 1] + 1);
                }
            }
        }
        for (int y = height - 1; y >= 0; y--) {
            for (int x = width - 1; x >= 0; x--) {
                int i = y * width + x;
                if (d[i] == 0) continue;
                if (x < width - 1) d[i] = Math.min(d[i], d[i + 1] + 1);
                if (y < height - 1) {
                    d[i] = Math.min(d[i], d[i + width] + 1);
                    if (x < width - 1) d[i] = Math.min(d[i], d[i + width + 1] + 1);
                    if (x > 0) d[i] = Math.min(d[i], d[i + width - 1] + 1);
                }
            }
        }
        float[] w = new float[d.length];
        for (int i = 0; i < d.length; i++) w[i] = d[i] == 0 ? 0f : Math.min(1f, (float) d[i] / (feather + 1));
        return w;
    }

    /** original outside the mask, generated inside, blended with {@link #blendWeights} near the edge. */
    BufferedImage paste(BufferedImage generated, BufferedImage original, int feather) {
        float[] w = blendWeights(feather);
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                float a = w[y * width + x];
                int o = original.getRGB(x, y);
                int rgb;
                if (a == 0f) rgb = o;
                else {
                    int g = generated.getRGB(x, y);
                    rgb = 0;
                    for (int shift = 16; shift >= 0; shift -= 8) {
                        int v = Math.round(a * ((g >> shift) & 0xff) + (1 - a) * ((o >> shift) & 0xff));
                        rgb |= v << shift;
                    }
                }
                out.setRGB(x, y, rgb & 0xffffff);
            }
        }
        return out;
    }
}
