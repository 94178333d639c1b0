package dev.atelier.diffusion.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime loads from the per-user cache: nothing extracted into the temp folder, nothing re-copied when warm. */
class OrtNativeLibrariesTest {

    /** Run in a fresh JVM: prepares the cache, starts ONNX Runtime and prints where its libraries came from. */
    public static void main(String[] args) {
        OrtNativeLibraries.prepare(Path.of(args[0]));
        OrtEnvironment.getEnvironment();
        System.out.println("native=" + System.getProperty(OrtNativeLibraries.NATIVE_PATH_PROPERTY));
    }

    private static String startOrtInFreshJvm(Path cache, Path tmp) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                OrtNativeLibrariesTest.class.getName(), cache.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static List<Path> contents(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void librariesAreCopiedOnceIntoTheCacheAndNeverIntoTheTempFolder(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));

        String first = startOrtInFreshJvm(cache, tmp);

        assertThat(first).contains("native=" + cache);
        Path libs = contents(cache).getFirst();
        assertThat(contents(libs)).extracting(p -> p.getFileName().toString())
                .anyMatch(n -> n.contains("onnxruntime4j_jni")).noneMatch(n -> n.endsWith(".tmp"));
        assertThat(contents(tmp)).as("ONNX Runtime's own extraction folders").noneMatch(p -> p.getFileName().toString().startsWith("onnxruntime-java"));

        Path jni = contents(libs).stream().filter(p -> p.getFileName().toString().contains("onnxruntime4j_jni")).findFirst().orElseThrow();
        long written = Files.getLastModifiedTime(jni).toMillis();
        Files.setLastModifiedTime(jni, java.nio.file.attribute.FileTime.fromMillis(written - 60_000));
        startOrtInFreshJvm(cache, tmp);
        assertThat(Files.getLastModifiedTime(jni).toMillis()).as("a warm start copies nothing").isEqualTo(written - 60_000);
    }

    @Test
    void aPathAlreadyChosenByTheUserIsKept() {
        String before = System.getProperty(OrtNativeLibraries.NATIVE_PATH_PROPERTY);
        try {
            System.setProperty(OrtNativeLibraries.NATIVE_PATH_PROPERTY, "/opt/ort");
            OrtNativeLibraries.prepare(Path.of(File.separator, "nonexistent"));
            assertThat(System.getProperty(OrtNativeLibraries.NATIVE_PATH_PROPERTY)).isEqualTo("/opt/ort");
        } finally {
            if (before == null) System.clearProperty(OrtNativeLibraries.NATIVE_PATH_PROPERTY);
            else System.setProperty(OrtNativeLibraries.NATIVE_PATH_PROPERTY, before);
        }
    }

    @Test
    void platformNamesFollowOnnxRuntimesJarFolders() {
        assertThat(OrtNativeLibraries.platform()).matches("(linux|osx|win)-(x64|aarch64|.+)");
    }
}
