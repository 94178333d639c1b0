package dev.atelier.core.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
        try (InputStream raw = new ByteArrayInputStream(bytes);
             ImageInputStream in = ImageIO.createImageInputStream(raw)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageLoadException(source + " is not an image in a format Atelier reads (PNG, JPEG or WebP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new ImageLoadException(source + " has no pixels (" + width + "x" + height + ")");
                }
                if (width * height > maxPixels) {
                    throw new ImageLoadException(String.format(
                            "%s is %dx%d = %,d pixels, over the limit of %,d; scale it down first or raise the limit"
                                    + " with -Datelier.image.maxPixels", source, width, height, width * height, maxPixels));
                }
                return toRgb(reader.read(0));
            } finally {
                reader.dispose();
            }
        } catch (ImageLoadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageLoadException(source + " is damaged or truncated and cannot be decoded: " + e.getMessage(), e);
        }
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
