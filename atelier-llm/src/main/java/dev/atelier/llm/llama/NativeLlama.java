package dev.atelier.llm.llama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the loading of de.kherud:llama's native library. Its loader, left alone, prints to stdout and deletes
 * every file named {@code llama*} or {@code jllama*} in the shared temp directory; here it gets a private directory
 * with the library already extracted, so it does neither.
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
            Path dir = Files.createTempDirectory("atelier-jllama-");
            dir.toFile().deleteOnExit();
            System.setProperty(TMPDIR_PROPERTY, dir.toString());
            String folder = platformFolder();
            String library = System.mapLibraryName("jllama");
            if (folder == null) return;
            try (InputStream in = NativeLlama.class.getResourceAsStream("/de/kherud/llama/" + folder + "/" + library)) {
                if (in == null) return;
                Path target = dir.resolve(library);
                Files.copy(in, target);
                target.toFile().deleteOnExit();
                System.setProperty(LIB_PATH_PROPERTY, dir.toString());
                LOG.debug("llama.cpp native library for {} extracted to {}", folder, target);
            }
        } catch (IOException e) {
            LOG.debug("could not pre-extract the llama.cpp native library; its own loader will try", e);
        }
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
