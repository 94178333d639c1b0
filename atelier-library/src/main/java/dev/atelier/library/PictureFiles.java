package dev.atelier.library;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Finds the pictures (PNG, JPEG, WebP by file name) under folders; paths absolute and normalised. */
public final class PictureFiles {
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp");

    private PictureFiles() {}

    public static boolean isPicture(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The folders as absolute paths; a missing one is an error before anything is read. */
    public static List<Path> checkFolders(List<Path> folders) {
        if (folders.isEmpty()) throw new AtelierException("no folder given: name at least one folder of pictures");
        List<Path> checked = new ArrayList<>();
        for (Path folder : folders) {
            Path absolute = folder.toAbsolutePath().normalize();
            if (Files.isDirectory(absolute) || Files.isRegularFile(absolute) && isPicture(absolute)) {
                checked.add(absolute);
            } else if (Files.exists(absolute)) {
                throw new AtelierException(folder + " is neither a folder nor a PNG, JPEG or WebP picture");
            } else {
                throw new AtelierException("folder not found: " + folder + " (nothing was indexed)");
            }
        }
        return checked;
    }

    /** Every picture under the (checked) folders, sorted, each once; symbolic links to folders are not followed. */
    public static List<Path> under(List<Path> folders) {
        TreeSet<Path> found = new TreeSet<>();
        for (Path folder : folders) {
            if (Files.isRegularFile(folder)) {
                found.add(folder);
                continue;
            }
            try (Stream<Path> walk = Files.walk(folder)) {
                walk.filter(p -> isPicture(p) && Files.isRegularFile(p)).forEach(p -> found.add(p.normalize()));
            } catch (IOException | UncheckedIOException e) {
                throw new AtelierException("cannot list the pictures under " + folder + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(found);
    }
}
