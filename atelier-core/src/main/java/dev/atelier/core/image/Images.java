package dev.atelier.core.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads PNG, JPEG and WebP (WebP and robust JPEG through TwelveMonkeys' ImageIO plugins) and refuses images
 * larger than a pixel limit before decoding them, so a hostile file cannot exhaust memory.
 */
public final class Images {

    /** Default limit: 64 megapixels, e.g. 8192×8192. Override with {@code -Datelier.image.maxPixels=N}. */
    public static final long DEFAULT_MAX_PIXELS = 64L * 1024 * 1024;

    static {
        ImageIO.scanForPlugins();
        ImageIO.setUseCache(false);
    }

    private Images() {}

    public static long maxPixels() {
        return Long.getLong("atelier.image.maxPixels", DEFAULT_MAX_PIXELS);
    }

    public static BufferedImage read(Path file) {
        return read(file, maxPixels());
    }

    public static BufferedImage read(Path file, long maxPixels) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageLoadException("image not found: " + file);
        } catch (IOException e) {
            throw new ImageLoadException("cannot read image " + file + ": " + e.getMessage(), e);
        }
        return decode(bytes, file.toString(), maxPixels);
    }

    /** Decodes encoded image bytes; {@code source} names them in error messages. */
    public static BufferedImage decode(byte[] bytes, String source, long maxPixels) {
        try (ImageInputStream in = new BoundedImageInput(bytes, source, DECODE_BASE_MILLIS)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageLoadException(source + " is not an image in a format Atelier reads (PNG, JPEG or WebP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                checkDeclaredSize(bytes, source, width, height, maxPixels);
                // a fresh stream whose deadline grows with the picture: big images take a while to decode
                try (ImageInputStream pixels = new BoundedImageInput(bytes, source,
                        DECODE_BASE_MILLIS + width * height / 1000)) {
                    reader.setInput(pixels, true, true);
                    return toRgb(reader.read(0));
                }
            } finally {
                reader.dispose();
            }
        } catch (ImageLoadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageLoadException(source + " is damaged or truncated and cannot be decoded: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new ImageLoadException(source + " needs more memory to decode than the JVM has; scale it down first", e);
        }
    }

    /** Deadline for decoding a picture, before a microsecond per pixel is added. */
    private static final long DECODE_BASE_MILLIS = 10_000;
    /** Deflate never packs more than 1032 bytes into one. */
    private static final long DEFLATE_MAX_RATIO = 1032;
    /** JPEG and WebP hold far more than a byte per this many pixels, even for a flat picture. */
    private static final long PIXELS_PER_BYTE_LIMIT = 4096;
    /** Small pictures cost little to decode whatever their file claims. */
    private static final long ALWAYS_DECODED_PIXELS = 4L * 1024 * 1024;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /**
     * Refuses, before any pixel buffer is allocated, a size over the pixel limit or one the file is too short to hold
     * (a header that claims a huge picture over a few bytes of data).
     */
    static void checkDeclaredSize(byte[] bytes, String source, long width, long height, long maxPixels) {
        if (width <= 0 || height <= 0) {
            throw new ImageLoadException(source + " has no pixels (" + width + "x" + height + ")");
        }
        long pixels = width * height;
        if (pixels > maxPixels) {
            throw new ImageLoadException(String.format(
                    "%s is %dx%d = %,d pixels, over the limit of %,d; scale it down first or raise the limit"
                            + " with -Datelier.image.maxPixels", source, width, height, pixels, maxPixels));
        }
        boolean tooShort;
        int bitsPerPixel = pngBitsPerPixel(bytes);
        if (bitsPerPixel > 0) {
            long rawBytes = height * (1 + (width * bitsPerPixel + 7) / 8); // a filter byte starts every row
            tooShort = rawBytes > bytes.length * DEFLATE_MAX_RATIO + 1024;
        } else {
            tooShort = pixels > Math.max(ALWAYS_DECODED_PIXELS, bytes.length * PIXELS_PER_BYTE_LIMIT);
        }
        if (tooShort) {
            throw new ImageLoadException(String.format("%s declares %dx%d pixels but holds only %,d bytes, too few for"
                    + " so many; the file is damaged or truncated", source, width, height, bytes.length));
        }
    }

    /** Bits per pixel from a PNG's IHDR chunk, or 0 when the bytes are not a PNG with a readable IHDR. */
    static int pngBitsPerPixel(byte[] bytes) {
        if (bytes.length < 29) return 0;
        for (int i = 0; i < PNG_SIGNATURE.length; i++) if (bytes[i] != PNG_SIGNATURE[i]) return 0;
        if (bytes[12] != 'I' || bytes[13] != 'H' || bytes[14] != 'D' || bytes[15] != 'R') return 0;
        int bitDepth = bytes[24] & 0xff;
        int channels = switch (bytes[25] & 0xff) {
            case 0, 3 -> 1;   // grey, palette
            case 2 -> 3;      // RGB
            case 4 -> 2;      // grey and alpha
            case 6 -> 4;      // RGBA
            default -> 0;
        };
        return bitDepth >= 1 && bitDepth <= 16 ? bitDepth * channels : 0;
    }

    /** Returns the image as 8-bit RGB without alpha (alpha is composited over white). */
    public static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) return image;
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        var g = rgb.createGraphics();
        try {
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }
}
