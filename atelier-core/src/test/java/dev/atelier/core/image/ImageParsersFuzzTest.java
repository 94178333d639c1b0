package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atelier.core.AtelierException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and hostile image files end in an {@link AtelierException} with a message, in bounded time and memory:
 * the minimal files found by fuzzing the public entry points, then seeded random mutations of valid files.
 */
class ImageParsersFuzzTest {
    /** A 1×1 lossless WebP with one byte changed: TwelveMonkeys' decoder swallows end-of-file and loops for good. */
    static final byte[] LOOPING_WEBP =
            HexFormat.of().parseHex("524946461a000000574542505650384c0d0000002f00000010071011117f88fe0700");
    private static final String WEBP_4X2 =
            "UklGRkYAAABXRUJQVlA4TDoAAAAvA0AAAD9AFmCyIPqCyl9mGmTCEPv17+JSDZmAxXTwa6R/m81/gJAih9TMV+tBIEDGYpQ4UCOi/4EN";
    private static final Duration BOUND = Duration.ofSeconds(90);

    @Test
    void corruptLosslessWebpEndsWithAClearErrorInsteadOfLooping() {
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(
                () -> Images.decode(LOOPING_WEBP, "bad.webp", Images.DEFAULT_MAX_PIXELS))
                .isInstanceOf(ImageLoadException.class)
                .hasMessageContaining("bad.webp").hasMessageContaining("damaged"));
    }

    @Test
    void pngHeaderClaimingAHugePictureIsRefusedBeforeDecoding() {
        byte[] png = pngHeader(16384, 4096, 8, 2, 69);
        assertThat(png).hasSize(69);
        // 64 megapixels is within the pixel limit; 69 bytes cannot hold them
        assertThatThrownBy(() -> Images.decode(png, "huge.png", Images.DEFAULT_MAX_PIXELS))
                .isInstanceOf(ImageLoadException.class)
                .hasMessageContaining("declares 16384x4096 pixels but holds only 69 bytes");
    }

    @Test
    void webpHeaderClaimingAHugePictureIsRefusedBeforeDecoding() {
        byte[] webp = losslessWebpHeader(8192, 2048);
        assertThatThrownBy(() -> Images.decode(webp, "huge.webp", Images.DEFAULT_MAX_PIXELS))
                .isInstanceOf(ImageLoadException.class)
                .hasMessageContaining("declares 8192x2048 pixels but holds only " + webp.length + " bytes");
    }

    @Test
    void theLengthBoundLeavesAFlatPngAtDeflatesBestRatioReadable() throws Exception {
        BufferedImage flat = new BufferedImage(2048, 2048, BufferedImage.TYPE_BYTE_BINARY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(flat, "png", out);
        byte[] png = out.toByteArray();
        assertThat((long) png.length * 100).as("a highly compressed file").isLessThan(2048L * 2048);
        assertThat(Images.decode(png, "flat.png", Images.DEFAULT_MAX_PIXELS).getWidth()).isEqualTo(2048);
    }

    @Test
    void pngWithADamagedChunkTypeGivesAClearError(@TempDir Path dir) throws Exception {
        byte[] png = pngWithText();
        Path file = dir.resolve("damaged.png");
        int text = indexOf(png, "tEXt".getBytes());
        int data = indexOf(png, "IDAT".getBytes()); // "ITAT" gave IndexOutOfBoundsException: position < flushedPos!
        for (int at : new int[] {text, text + 1, text + 2, text + 3, data, data + 1, data + 2, data + 3}) {
            for (int value : new int[] {0, 0x20, 0x7f, 0xff, 'A', 'z'}) {
                byte[] damaged = png.clone();
                damaged[at] = (byte) value;
                Files.write(file, damaged);
                try {
                    PngFiles.readText(file);
                } catch (AtelierException expected) {
                    assertThat(expected.getMessage()).contains("damaged.png");
                } catch (Throwable e) {
                    fail("chunk type byte " + at + " set to " + value + " threw " + e, e);
                }
            }
        }
    }

    @Test
    void mutatedImagesNeverEscapeWithAJdkException(@TempDir Path dir) {
        List<byte[]> seeds = List.of(pngWithText(), Base64.getDecoder().decode(WEBP_4X2), jpeg(), LOOPING_WEBP,
                losslessWebpHeader(64, 64));
        Random random = new Random(15);
        Path file = dir.resolve("fuzz.png");
        assertTimeoutPreemptively(BOUND, () -> {
            for (int run = 0; run < 800; run++) {
                byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
                try {
                    Images.decode(input, "fuzz", 1 << 20);
                } catch (AtelierException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                } catch (Throwable e) {
                    fail("decoding " + HexFormat.of().formatHex(input) + " threw " + e, e);
                }
                Files.write(file, input);
                try {
                    PngFiles.readText(file);
                } catch (AtelierException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                } catch (Throwable e) {
                    fail("reading the text of " + HexFormat.of().formatHex(input) + " threw " + e, e);
                }
            }
        });
    }

    static byte[] mutate(byte[] seed, Random random) {
        byte[] out = seed.clone();
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits && out.length > 0; i++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(5)) {
                case 0 -> out[at] = (byte) random.nextInt(256);
                case 1 -> out[at] ^= (byte) (1 << random.nextInt(8));
                case 2 -> out = Arrays.copyOf(out, Math.max(1, at));
                case 3 -> out[at] = (byte) (random.nextBoolean() ? 0 : 0xff);
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
        }
        return out;
    }

    /** A PNG signature, an IHDR chunk with a correct CRC, then zero bytes up to {@code length}. */
    static byte[] pngHeader(int width, int height, int bitDepth, int colourType, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13);
        int typeAt = b.position();
        b.put("IHDR".getBytes()).putInt(width).putInt(height).put((byte) bitDepth).put((byte) colourType)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), typeAt, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** A lossless WebP whose header declares {@code width}×{@code height} over a few bytes of bitstream. */
    static byte[] losslessWebpHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(34).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(26).put("WEBP".getBytes()).put("VP8L".getBytes()).putInt(13);
        b.put((byte) 0x2f).putInt((width - 1) | (height - 1) << 14);
        b.put(new byte[] {0x10, 0x07, 0x10, 0x11, 0x11, 0x7f, (byte) 0x88, (byte) 0xfe});
        return b.array();
    }

    static byte[] pngWithText() {
        try {
            Path tmp = Files.createTempFile("atelier-fuzz", ".png");
            try {
                BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
                img.setRGB(1, 1, 0x336699);
                PngFiles.write(img, Map.of("parameters", "a fox\nSteps: 20, Seed: 1, Size: 512x512"), tmp);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] jpeg() {
        try {
            BufferedImage img = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
            for (int x = 0; x < 16; x++) img.setRGB(x, x % 8, 0xff8800);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "jpeg", out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
