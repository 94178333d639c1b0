package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    // 4×2 lossless WebP made with `cwebp -lossless -exact` from the pixels in EXPECTED.
    private static final String WEBP_4X2 =
            "UklGRkYAAABXRUJQVlA4TDoAAAAvA0AAAD9AFmCyIPqCyl9mGmTCEPv17+JSDZmAxXTwa6R/m81/gJAih9TMV+tBIEDGYpQ4UCOi/4EN";
    private static final int[][] EXPECTED = {
            {0xff0000, 0x00ff00, 0x0000ff, 0xffffff},
            {0x000000, 0x0a141e, 0xc86432, 0x808080}};

    private static BufferedImage sample() {
        BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) for (int x = 0; x < 4; x++) img.setRGB(x, y, EXPECTED[y][x]);
        return img;
    }

    private static int[][] pixels(BufferedImage img) {
        int[][] out = new int[img.getHeight()][img.getWidth()];
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) out[y][x] = img.getRGB(x, y) & 0xffffff;
        return out;
    }

    @Test
    void readsWebpThroughTwelveMonkeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pixels.webp");
        Files.write(file, Base64.getDecoder().decode(WEBP_4X2));
        assertThat(pixels(Images.read(file))).isDeepEqualTo(EXPECTED);
    }

    @Test
    void readsPngExactly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pixels.png");
        ImageIO.write(sample(), "png", file.toFile());
        assertThat(pixels(Images.read(file))).isDeepEqualTo(EXPECTED);
    }

    @Test
    void readsJpegApproximately(@TempDir Path dir) throws Exception {
        BufferedImage flat = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) flat.setRGB(x, y, 0x3366cc);
        Path file = dir.resolve("flat.jpg");
        ImageIO.write(flat, "jpeg", file.toFile());
        int rgb = Images.read(file).getRGB(8, 8);
        assertThat((rgb >> 16) & 0xff).isBetween(0x33 - 4, 0x33 + 4);
        assertThat((rgb >> 8) & 0xff).isBetween(0x66 - 4, 0x66 + 4);
        assertThat(rgb & 0xff).isBetween(0xcc - 4, 0xcc + 4);
    }

    @Test
    void refusesImagesOverThePixelLimitBeforeDecoding(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.png");
        ImageIO.write(new BufferedImage(100, 50, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
        assertThatThrownBy(() -> Images.read(file, 4_999))
                .isInstanceOf(ImageLoadException.class)
                .hasMessageContaining("100x50")
                .hasMessageContaining("over the limit")
                .hasMessageContaining("atelier.image.maxPixels");
        assertThat(Images.read(file, 5_000).getWidth()).isEqualTo(100);
    }

    @Test
    void explainsMissingBrokenAndForeignFiles(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Images.read(dir.resolve("nope.png")))
                .isInstanceOf(ImageLoadException.class).hasMessageContaining("not found");

        Path text = dir.resolve("notes.png");
        Files.writeString(text, "this is not an image");
        assertThatThrownBy(() -> Images.read(text))
                .isInstanceOf(ImageLoadException.class).hasMessageContaining("PNG, JPEG or WebP");

        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(sample(), "png", png);
        byte[] truncated = Arrays.copyOf(png.toByteArray(), 40);
        Path broken = dir.resolve("broken.png");
        Files.write(broken, truncated);
        assertThatThrownBy(() -> Images.read(broken))
                .isInstanceOf(ImageLoadException.class).hasMessageContaining("broken.png");
    }

    @Test
    void alphaIsCompositedOverWhite() {
        BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00000000); // fully transparent black
        assertThat(Images.toRgb(argb).getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff);
    }
}
