package dev.atelier.llm.llama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the loading of de.kherud:llama's native library. Its loader, left alone, prints to stdout and deletes
 * every file named {@code llama*} or {@code jllama*} in the shared temp directory; here it gets a private directory
 * with the library already extracted, so it does neither. The directory is a per-user cache
 * ({@code ~/.cache/atelier/native/jllama-VERSION}), so the 5 MB library is written once, not on every start.
 */
final class NativeLlama {

    private static final Logger LOG = LoggerFactory.getLogger(NativeLlama.class);
    private static final String TMPDIR_PROPERTY = "de.kherud.llama.tmpdir";
    private static final String LIB_PATH_PROPERTY = "de.kherud.llama.lib.path";
    private static boolean prepared;

    private NativeLlama() {}

    /** Call before the first use of any de.kherud.llama class with native methods. */
    static synchronized void prepare() {
        if (prepared) return;
        prepared = true;
        if (System.getProperty(TMPDIR_PROPERTY) != null || System.getProperty(LIB_PATH_PROPERTY) != null) return;
        try {
            Path dir = cacheDirectory();
            System.setProperty(TMPDIR_PROPERTY, dir.toString());
            String folder = platformFolder();
            if (folder == null) return;
            String library = System.mapLibraryName("jllama");
            String resource = "/de/kherud/llama/" + folder + "/" + library;
            Path target = dir.resolve(library);
            try (InputStream in = NativeLlama.class.getResourceAsStream(resource)) {
                if (in == null) return;
                byte[] bytes = in.readAllBytes();
                if (!Files.isRegularFile(target) || Files.size(target) != bytes.length) {
                    // write aside, then move: another JVM may be loading the same file right now
                    Path part = Files.createTempFile(dir, "part-", ".tmp");
                    Files.write(part, bytes);
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            System.setProperty(LIB_PATH_PROPERTY, dir.toString());
            LOG.debug("llama.cpp native library for {} at {}", folder, target);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not prepare the llama.cpp native library; its own loader will try", e);
        }
    }

    /** A directory only this user writes to, named after the library version. */
    private static Path cacheDirectory() throws IOException {
        String version = "unknown";
        try (InputStream in = NativeLlama.class.getResourceAsStream("/META-INF/maven/de.kherud/llama/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version", version).replaceAll("[^A-Za-z0-9._-]", "_");
            }
        }
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank()) {
            Path dir = Path.of(home, ".cache", "atelier", "native", "jllama-" + version);
            try {
                return Files.createDirectories(dir);
            } catch (IOException readOnlyHome) {
                LOG.debug("cannot use {} for the native library", dir, readOnlyHome);
            }
        }
        Path dir = Files.createTempDirectory("atelier-jllama-");
        dir.toFile().deleteOnExit();
        return dir;
    }

    /** The jar's folder for this OS and CPU, or null where the loader's own detection should decide. */
    private static String platformFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String cpu = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "x86", "i386", "i686" -> "x86";
            default -> null;
        };
        if (cpu == null || System.getProperty("java.vm.vendor", "").contains("Android")) return null;
        if (os.startsWith("linux")) return "Linux/" + cpu;
        if (os.startsWith("mac")) return "Mac/" + cpu;
        if (os.startsWith("windows")) return "Windows/" + cpu;
        return null;
    }
}
