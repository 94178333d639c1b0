package dev.atelier.diffusion.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Where ONNX Runtime's optimised graphs are kept, so that graph optimisation is paid once per model rather than on
 * every start. An entry's name is a hash of the model's bytes (the {@code .onnx} file and every external-data file
 * beside it), ONNX Runtime's version, the session settings and the CPU, so a changed model, runtime or machine finds
 * no entry and never loads a stale one. Entries are written under a temporary name and renamed when complete.
 *
 * <p>Folder: the {@code atelier.ort.cache} system property ({@code off} disables the cache), else
 * {@code ~/.cache/atelier/ort-optimized}.
 */
final class OptimizedModelCache {
    static final String CACHE_PROPERTY = "atelier.ort.cache";
    /** Files up to this size are hashed whole (a few ms); larger ones by size, time and their first and last MiB. */
    private static final long HASH_WHOLE_UP_TO = 4L << 20;
    private static final int SAMPLE = 1 << 20;

    private final Path folder;

    OptimizedModelCache(Path folder) {
        this.folder = folder;
    }

    /** The configured cache, or null when it is switched off or there is no home folder. */
    static OptimizedModelCache configured() {
        String property = System.getProperty(CACHE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return property.equalsIgnoreCase("off") ? null : new OptimizedModelCache(Path.of(property));
        }
        String home = System.getProperty("user.home");
        if (home == null || home.isBlank()) return null;
        return new OptimizedModelCache(Path.of(home, ".cache", "atelier", "ort-optimized"));
    }

    Path folder() { return folder; }

    /** One model's entry: its final file, and a prefix shared by every entry of the same model path. */
    record Entry(Path file, String modelPrefix, boolean externalData) {
        /** The name of the external-initialiser file ONNX Runtime writes beside the optimised graph. */
        String dataFileName() {
            return file.getFileName().toString().replaceAll("\\.onnx$", ".data");
        }
    }

    /** The entry for {@code modelFile} opened with {@code settings} under {@code ortVersion}. */
    Entry entryFor(Path modelFile, SessionSettings settings, String ortVersion) throws IOException {
        Path model = modelFile.toAbsolutePath().normalize();
        List<Path> files = modelFiles(model);
        MessageDigest digest = sha256();
        digest.update((ortVersion + "|" + settings + "|" + cpu()).getBytes(StandardCharsets.UTF_8));
        boolean externalData = files.size() > 1;
        for (Path f : files) {
            digest.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            hashFile(f, digest);
        }
        String pathHash = HexFormat.of().formatHex(sha256().digest(model.toString().getBytes(StandardCharsets.UTF_8)),
                0, 6);
        String component = model.getParent() == null || model.getParent().getFileName() == null ? "model"
                : model.getParent().getFileName().toString().replaceAll("[^A-Za-z0-9_-]", "_");
        String prefix = component + "-" + pathHash + "-";
        String key = HexFormat.of().formatHex(digest.digest(), 0, 16);
        return new Entry(folder.resolve(prefix + key + ".onnx"), prefix, externalData);
    }

    /** A temporary name for the graph being written; ONNX Runtime writes it while the session is created. */
    Path temporaryFor(Entry entry) throws IOException {
        Files.createDirectories(folder);
        return folder.resolve(entry.file().getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().threadId() + ".tmp");
    }

    /** Publishes the written graph and removes older entries of the same model path (a changed model's). */
    void publish(Entry entry, Path written) throws IOException {
        Files.move(written, entry.file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(folder, entry.modelPrefix() + "*")) {
            for (Path p : old) {
                String name = p.getFileName().toString();
                boolean current = p.equals(entry.file()) || name.equals(entry.dataFileName());
                if (!current && !name.endsWith(".tmp")) Files.deleteIfExists(p);
            }
        }
    }

    /** Removes an entry that could not be loaded (damaged, or written by an incompatible runtime). */
    void discard(Entry entry) {
        try {
            Files.deleteIfExists(entry.file());
            Files.deleteIfExists(folder.resolve(entry.dataFileName()));
        } catch (IOException ignored) {
            // a later start rebuilds it anyway
        }
    }

    /** The model file and its external-data files: every other non-JSON file in its folder, by name. */
    static List<Path> modelFiles(Path model) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(model);
        Path dir = model.getParent();
        if (dir == null) return files;
        List<Path> others = new ArrayList<>();
        try (DirectoryStream<Path> in = Files.newDirectoryStream(dir)) {
            for (Path p : in) {
                String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                if (p.equals(model) || !Files.isRegularFile(p) || name.endsWith(".json") || name.endsWith(".txt")
                        || name.endsWith(".onnx")) {
                    continue;
                }
                others.add(p);
            }
        }
        others.sort(null);
        files.addAll(others);
        return files;
    }

    private static void hashFile(Path file, MessageDigest digest) throws IOException {
        long size = Files.size(file);
        digest.update(ByteBuffer.allocate(8).putLong(0, size));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(SAMPLE);
            if (size <= HASH_WHOLE_UP_TO) {
                while (channel.read(buffer.clear()) > 0) digest.update(buffer.flip());
                return;
            }
            // multi-gigabyte weights: hashing them whole would cost seconds on every start
            digest.update(ByteBuffer.allocate(8).putLong(0, Files.getLastModifiedTime(file).toMillis()));
            for (long at : new long[] {0, size - SAMPLE}) {
                buffer.clear();
                while (buffer.hasRemaining() && channel.read(buffer, at + buffer.position()) > 0) { /* fill */ }
                digest.update(buffer.flip());
            }
        }
    }

    private static volatile String cpu;

    /** The instruction set the optimised graph may be specialised for; read once per process. */
    private static String cpu() {
        String known = cpu;
        if (known == null) cpu = known = readCpu();
        return known;
    }

    private static String readCpu() {
        String model = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") || line.startsWith("flags")) model += line;
                if (line.isEmpty()) break;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the architecture must do (ONNX Runtime's CPU layouts depend on the instruction set)
        }
        return System.getProperty("os.arch") + "|" + model;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
