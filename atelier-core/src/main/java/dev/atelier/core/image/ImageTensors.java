package dev.atelier.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Conversions between images and the float tensors diffusion models take: NCHW, RGB, values in [-1, 1]
 * (pixel p ↦ p/127.5 − 1), as Stable Diffusion's VAE expects.
 */
public final class ImageTensors {
    private ImageTensors() {}

    /** One image as a [1, 3, H, W] tensor, flattened in row-major order. */
    public static float[] toNchw(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[3 * h * w];
        int plane = h * w;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int i = y * w + x;
                out[i] = ((argb >> 16) & 0xff) / 127.5f - 1f;
                out[plane + i] = ((argb >> 8) & 0xff) / 127.5f - 1f;
                out[2 * plane + i] = (argb & 0xff) / 127.5f - 1f;
            }
        }
        return out;
    }

    /**
     * Image {@code index} of a [N, 3, H, W] tensor. Values outside [-1, 1] are clamped; rounding is to nearest,
     * so {@code fromNchw(toNchw(img))} returns the same pixels.
     */
    public static BufferedImage fromNchw(float[] data, int index, int height, int width) {
        int plane = height * width;
        int base = index * 3 * plane;
        if (data.length < base + 3 * plane) {
            throw new IllegalArgumentException("tensor of " + data.length + " values holds no image " + index
                    + " of 3x" + height + "x" + width);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        // Writing the raster's array directly: per-pixel setRGB goes through the colour model and costs
        // milliseconds per megapixel.
        int[] pixels = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < plane; i++) {
            int at = base + i;
            pixels[i] = (toByte(data[at]) << 16) | (toByte(data[plane + at]) << 8) | toByte(data[2 * plane + at]);
        }
        return img;
    }

    static int toByte(float v) {
        float p = (v + 1f) * 127.5f;
        if (!(p > 0f)) return 0; // also catches NaN
        if (p >= 255f) return 255;
        return Math.round(p);
    }
}
