package dev.atelier.assistant;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A conversation's pictures by content hash (SHA-256 of the file's bytes) in a folder beside the conversation file,
 * so the same picture is stored once and a conversation file stays small and readable.
 */
public final class PictureStore {
    private final Path folder;

    public PictureStore(Path folder) { this.folder = folder; }

    /** The folder that holds the pictures of the conversation saved in {@code conversationFile}. */
    public static Path folderFor(Path conversationFile) {
        String name = conversationFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return conversationFile.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".pictures");
    }

    public Path folder() { return folder; }

    /**
     * Stores an encoded picture (PNG, JPEG or WebP); a picture that cannot be decoded is refused before anything is
     * stored. Returns its content hash.
     */
    public String put(byte[] encoded, String source) {
        Images.decode(encoded, source, Images.maxPixels());
        String hash = hash(encoded);
        Path file = folder.resolve(hash + "." + extension(encoded));
        if (Files.exists(file)) return hash;
        try {
            Files.createDirectories(folder);
            // written under a temporary name and moved, so a crash never leaves half a picture under its hash
            Path partial = Files.createTempFile(folder, hash, ".partial");
            Files.write(partial, encoded);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a picture in " + folder, e);
        }
        return hash;
    }

    /** The stored file of a hash. */
    public Path file(String hash) {
        for (String ext : new String[] {"png", "jpg", "webp"}) {
            Path file = folder.resolve(hash + "." + ext);
            if (Files.isRegularFile(file)) return file;
        }
        throw new AtelierException("The conversation's picture " + hash + " is missing from " + folder
                + "; keep the .pictures folder beside the conversation file.");
    }

    public byte[] bytes(String hash) {
        try {
            return Files.readAllBytes(file(hash));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public BufferedImage image(String hash) { return Images.read(file(hash)); }

    /** MIME type of a stored picture, for vision models. */
    public String mimeType(String hash) {
        String name = file(hash).getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jpg") ? "image/jpeg" : name.endsWith(".webp") ? "image/webp" : "image/png";
    }

    static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String extension(byte[] b) {
        if (b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) return "jpg";
        if (b.length > 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E') return "webp";
        return "png";
    }
}
