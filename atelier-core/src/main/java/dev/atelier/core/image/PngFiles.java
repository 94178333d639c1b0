package dev.atelier.core.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.Node;

/**
 * PNG files with text chunks: how Atelier stores the generation parameters (A1111's {@code parameters})
 * and the full request beside the pixels, so an image can be replayed.
 */
public final class PngFiles {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngFiles() {}

    /**
     * Writes {@code image} as PNG with one text chunk per entry. Latin-1 values go into {@code tEXt}, others
     * into UTF-8 {@code iTXt}. The file appears atomically: readers never see half an image.
     */
    public static void write(BufferedImage image, Map<String, String> text, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: it makes the file owner-only, and the PNG should get the usual umask.
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".part");
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                write(image, text, out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The PNG bytes of {@code image} with its text chunks, encoded in memory (no temporary file). */
    public static byte[] encode(BufferedImage image, Map<String, String> text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(8192);
        try {
            write(image, text, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not encode a PNG in memory", e);
        }
        return out.toByteArray();
    }

    /** Writes {@code image} as PNG with its text chunks to {@code out}, which stays open. */
    public static void write(BufferedImage image, Map<String, String> text, OutputStream out) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            ImageTypeSpecifier type = ImageTypeSpecifier.createFromRenderedImage(image);
            IIOMetadata metadata = writer.getDefaultImageMetadata(type, writer.getDefaultWriteParam());
            IIOMetadataNode root = new IIOMetadataNode(FORMAT);
            IIOMetadataNode tEXt = new IIOMetadataNode("tEXt");
            IIOMetadataNode iTXt = new IIOMetadataNode("iTXt");
            for (var e : text.entrySet()) {
                if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(e.getValue())) {
                    IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("value", e.getValue());
                    tEXt.appendChild(entry);
                } else {
                    IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                    entry.setAttribute("keyword", e.getKey());
                    entry.setAttribute("compressionFlag", "FALSE");
                    entry.setAttribute("compressionMethod", "0");
                    entry.setAttribute("languageTag", "");
                    entry.setAttribute("translatedKeyword", "");
                    entry.setAttribute("text", e.getValue());
                    iTXt.appendChild(entry);
                }
            }
            if (tEXt.hasChildNodes()) root.appendChild(tEXt);
            if (iTXt.hasChildNodes()) root.appendChild(iTXt);
            metadata.mergeTree(FORMAT, root);

            // a memory cache: ImageIO's default caches a stream in a temporary file
            try (ImageOutputStream ios = new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.write(null, new IIOImage(image, null, metadata), null);
            }
        } finally {
            writer.dispose();
        }
    }

    /** Reads every {@code tEXt}, {@code zTXt} and {@code iTXt} chunk of a PNG file, in file order. */
    public static Map<String, String> readText(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new ImageLoadException("cannot open " + file);
            var readers = ImageIO.getImageReadersByFormatName("png");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, false);
                IIOMetadata meta;
                try {
                    meta = reader.getImageMetadata(0);
                } catch (IOException | RuntimeException e) {
                    // a damaged chunk can surface as a JDK runtime exception (e.g. "position < flushedPos!")
                    throw new ImageLoadException(file + " is not a readable PNG file: " + e.getMessage(), e);
                }
                Node root = meta.getAsTree(FORMAT);
                for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                    String name = chunk.getNodeName();
                    if (!name.equals("tEXt") && !name.equals("iTXt") && !name.equals("zTXt")) continue;
                    for (Node e = chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
                        var attrs = e.getAttributes();
                        Node keyword = attrs.getNamedItem("keyword");
                        if (keyword == null) continue;
                        String key = keyword.getNodeValue();
                        Node value = attrs.getNamedItem(name.equals("iTXt") ? "text" : "value");
                        if (name.equals("zTXt")) value = attrs.getNamedItem("text");
                        out.put(key, value == null ? "" : value.getNodeValue());
                    }
                }
            } finally {
                reader.dispose();
            }
        }
        return out;
    }
}
