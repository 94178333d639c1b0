package dev.atelier.diffusion.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's native libraries from a per-user cache instead of a new temporary folder on every start. Left alone,
 * ONNX Runtime's Java loader copies about 22 MB out of its jar into a fresh temp folder each time a JVM starts (and
 * leaves the folder behind); here the files are copied once into {@code ~/.cache/atelier/native/<jar name>/} and the
 * loader is pointed there with its own {@code onnxruntime.native.path} property. Sizes are compared from the jar's
 * directory, so a warm start reads no library bytes.
 */
public final class OrtNativeLibraries {
    private static final Logger LOG = LoggerFactory.getLogger(OrtNativeLibraries.class);
    static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";
    private static final String MARKER = "ai/onnxruntime/OrtEnvironment.class";

    private OrtNativeLibraries() {}

    /** Prepares the cache under the user's home; call before the first ONNX Runtime class is used. */
    public static synchronized void prepare() {
        String home = System.getProperty("user.home");
        if (home == null || home.isBlank()) return;
        prepare(Path.of(home, ".cache", "atelier", "native"));
    }

    /** As {@link #prepare()}, under {@code cacheRoot}; does nothing when the property is already set or on failure. */
    public static synchronized void prepare(Path cacheRoot) {
        if (System.getProperty(NATIVE_PATH_PROPERTY) != null) return;
        try {
            URL marker = OrtNativeLibraries.class.getClassLoader().getResource(MARKER);
            if (marker == null) return;
            URLConnection connection = marker.openConnection();
            if (!(connection instanceof JarURLConnection jarConnection)) return; // exploded classes: nothing to cache
            connection.setUseCaches(false);
            String folder = "ai/onnxruntime/native/" + platform() + "/";
            try (JarFile jar = jarConnection.getJarFile()) {
                String jarName = Path.of(jarConnection.getJarFileURL().getPath()).getFileName().toString()
                        .replaceAll("\\.jar$", "").replaceAll("[^A-Za-z0-9._-]", "_");
                Path dir = Files.createDirectories(cacheRoot.resolve(jarName + "-" + platform()));
                int libraries = 0;
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (entry.isDirectory() || !entry.getName().startsWith(folder)) continue;
                    String name = entry.getName().substring(folder.length());
                    if (name.contains("/")) continue; // debug symbol bundles and the like
                    Path target = dir.resolve(name);
                    if (!Files.isRegularFile(target) || Files.size(target) != entry.getSize()) {
                        // written aside and moved: another JVM may be loading the same file right now
                        Path part = Files.createTempFile(dir, "part-", ".tmp");
                        try (InputStream in = jar.getInputStream(entry)) {
                            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                        }
                        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                    libraries++;
                }
                if (libraries == 0) return;
                System.setProperty(NATIVE_PATH_PROPERTY, dir.toString());
                LOG.debug("ONNX Runtime native libraries from {}", dir);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not cache ONNX Runtime's native libraries; its own loader will extract them", e);
        }
    }

    /**
     * Loads ONNX Runtime's native libraries and creates its environment on a daemon thread, so that the few hundred
     * milliseconds this takes overlap the command's parsing and model lookup instead of delaying the first session.
     * Call after {@link #prepare()}, only for commands that will open a session.
     */
    public static void preloadInBackground() {
        Thread loader = new Thread(() -> {
            try {
                ai.onnxruntime.OrtEnvironment.getEnvironment();
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("preloading ONNX Runtime failed; the first session will say why", e);
            }
        }, "atelier-ort-preload");
        loader.setDaemon(true);
        loader.start();
    }

    /** ONNX Runtime's name for this platform's folder in its jar, e.g. {@code linux-x64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osPart = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : "linux";
        String archPart = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return osPart + "-" + archPart;
    }
}
