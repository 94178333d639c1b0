package dev.atelier.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.testkit.vision.ToyClip;
import java.awt.Color;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A {@code library add} on the toy CLIP (ONNX Runtime) killed with SIGKILL mid-way leaves a usable index, and running it again completes it. */
class KilledAddTest {
    static final int PICTURES = 40;
    static final int COMMIT_EVERY = 4;

    @TempDir Path tmp;
    @TempDir Path clip;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aKilledAddLeavesAUsableIndexAndARerunFinishesIt() throws Exception {
        Path folder = tmp.resolve("pictures");
        Path index = tmp.resolve("index");
        for (int i = 0; i < PICTURES; i++) {
            // distinct colours from red towards blue, so every picture has its own content hash
            FlatPictures.write(folder.resolve(String.format("p%02d.png", i)), new Color(255 - 6 * i, 10, 6 * i));
        }
        ToyClip.write(clip, ToyClip.Layout.SPLIT);
        int settledWhenKilled = runAndKill(index, folder, clip, 10);
        assertThat(settledWhenKilled).isGreaterThanOrEqualTo(10).isLessThan(PICTURES);

        CountingEmbedder embedder = CountingEmbedder.toyClip(clip);
        try (LuceneLibrary library = LuceneLibrary.open(index, embedder)) {
            int survived = library.size();
            // every full batch before the kill was committed; the batch in flight may be lost, nothing else
            assertThat(survived).isGreaterThanOrEqualTo(10 / COMMIT_EVERY * COMMIT_EVERY).isLessThan(PICTURES);
            assertThat(survived % COMMIT_EVERY).isZero();
            assertThat(names(library.search("red", 1))).containsExactly("p00.png");

            AddReport rerun = library.add(List.of(folder), AddListener.NONE);
            assertThat(rerun.unchanged()).isEqualTo(survived);
            assertThat(rerun.added()).isEqualTo(PICTURES - survived);
            assertThat(embedder.imagesEmbedded).hasValue(PICTURES - survived);
            assertThat(library.size()).isEqualTo(PICTURES);
            assertThat(names(library.search("blue", 1))).containsExactly(String.format("p%02d.png", PICTURES - 1));
        }
    }

    private static List<String> names(List<LibraryMatch> matches) { return LuceneLibraryTest.names(matches); }

    /** Starts the add in a child JVM, kills it once {@code killAfter} pictures are settled; returns how many were. */
    private static int runAndKill(Path index, Path folder, Path clip, int killAfter) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AddInChildProcess.class.getName(), index.toString(), folder.toString(), clip.toString(), "250",
                Integer.toString(COMMIT_EVERY))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int settled = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("settled ")) settled = Integer.parseInt(line.substring(8));
                if (settled >= killAfter) break;
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(child.isAlive()).isFalse();
        return settled;
    }
}
