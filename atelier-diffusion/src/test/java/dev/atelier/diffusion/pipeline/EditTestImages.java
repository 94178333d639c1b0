package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;

/** Images for the editing tests: 8×8 blocks of one colour each survive the toy VAE's 8×8 average exactly. */
final class EditTestImages {
    static final int WIDTH = 64;
    static final int HEIGHT = 48;

    private EditTestImages() {}

    static BufferedImage blocks() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) image.setRGB(x, y, blockColour(x / 8, y / 8));
        }
        return image;
    }

    static int blockColour(int bx, int by) {
        return ((60 + bx * 20) << 16) | ((200 - by * 30) << 8) | (90 + bx * by * 4);
    }

    /** Pixel value in [-1, 1] of channel {@code c} (0 = R) of block (bx, by): the toy encoder's unscaled latent. */
    static float blockValue(int bx, int by, int c) {
        int rgb = blockColour(bx, by);
        return ((rgb >> (16 - 8 * c)) & 0xff) / 127.5f - 1f;
    }

    /** A white rectangle [x0, x1) × [y0, y1) on black, at the test image's size. */
    static BufferedImage mask(int x0, int y0, int x1, int y1, int grey) {
        BufferedImage m = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) m.setRGB(x, y, (grey << 16) | (grey << 8) | grey);
        }
        return m;
    }

    static void assertPixel(BufferedImage image, int x, int y, float[] rgb, int levels) {
        int p = image.getRGB(x, y);
        for (int c = 0; c < 3; c++) {
            int expected = Math.round((rgb[c] + 1) * 127.5f);
            assertThat((p >> (16 - 8 * c)) & 0xff).as("pixel (%d,%d) channel %d", x, y, c).isCloseTo(expected, within(levels));
        }
    }
}
