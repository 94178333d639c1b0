package dev.atelier.library;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes flat-colour pictures for tests. */
final class FlatPictures {
    private FlatPictures() {}

    static BufferedImage flat(Color colour, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(colour);
        g.fillRect(0, 0, size, size);
        g.dispose();
        return image;
    }

    static Path write(Path file, Color colour) {
        String name = file.getFileName().toString();
        String format = name.endsWith(".png") ? "png" : "jpg";
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(flat(colour, 16), format, file.toFile())) throw new IOException("no writer for " + format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
