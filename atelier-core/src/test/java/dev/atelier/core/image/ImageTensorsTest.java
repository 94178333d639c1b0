package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageTensorsTest {

    @Test
    void layoutIsNchwWithValuesInMinusOneToOne() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xff0080); // r=255 g=0 b=128
        img.setRGB(1, 0, 0x000000);
        float[] t = ImageTensors.toNchw(img);
        // planes R, G, B, each of H·W = 2 values
        assertThat(t).containsExactly(new float[] {1f, -1f, -1f, -1f, 128 / 127.5f - 1f, -1f}, within(1e-6f));
    }

    @Test
    void roundTripKeepsEveryPixel() {
        Random rnd = new Random(7);
        BufferedImage img = new BufferedImage(13, 7, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 7; y++) for (int x = 0; x < 13; x++) img.setRGB(x, y, rnd.nextInt() & 0xffffff);
        BufferedImage back = ImageTensors.fromNchw(ImageTensors.toNchw(img), 0, 7, 13);
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 13; x++) assertThat(back.getRGB(x, y)).isEqualTo(img.getRGB(x, y));
    }

    @Test
    void picksTheRequestedImageOfABatchAndClamps() {
        // batch of 2 images 1×1: the second is (2, -3, 0) → clamped to (255, 0, 128)
        float[] batch = {0f, 0f, 0f, 2f, -3f, 0f};
        assertThat(ImageTensors.fromNchw(batch, 1, 1, 1).getRGB(0, 0) & 0xffffff).isEqualTo(0xff0080);
        assertThat(ImageTensors.toByte(Float.NaN)).isZero();
    }
}
