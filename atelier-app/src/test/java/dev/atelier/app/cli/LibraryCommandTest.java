package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.vision.clip.ImageTextEmbedder;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LibraryCommandTest {
    @TempDir Path tmp;
    Path pictures;
    Path index;
    final Map<String, String> env = new HashMap<>();
    final List<String> clipsLoaded = new ArrayList<>();

    record Run(int exitCode, String out, String err) {}

    @BeforeEach
    void pictures() throws IOException {
        pictures = tmp.resolve("pictures");
        index = tmp.resolve("index");
        write(pictures.resolve("red.png"), new Color(255, 0, 0));
        write(pictures.resolve("orange.png"), new Color(255, 128, 0));
        write(pictures.resolve("sub/yellow.png"), new Color(255, 255, 0));
        write(pictures.resolve("sub/green.png"), new Color(0, 255, 0));
    }

    static void write(Path file, Color colour) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) image.setRGB(x, y, colour.getRGB());
        ImageIO.write(image, "png", file.toFile());
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        LibraryCommand command = new LibraryCommand(env::get, (spec, pull, e) -> {
            clipsLoaded.add(spec);
            return new MeanColourClip();
        });
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler(new FriendlyErrors());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Score and file name of each printed result line. */
    static List<String> ranked(String out) {
        return out.lines().map(l -> l.split("\\s+")).map(p -> Path.of(p[1]).getFileName() + "@" + p[0]).toList();
    }

    @Test
    void addThenSearchPrintsRankedPathsWithScoresBestFirst() {
        Run add = run("add", pictures.toString(), "--index", index.toString());
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(add.out()).contains("4 pictures found: 4 added, 0 changed, 0 moved, 0 unchanged, 0 removed, 0 skipped")
                .contains("library " + index + ": 4 pictures");
        assertThat(add.err()).contains("Indexing");

        Run search = run("search", "red", "--index", index.toString(), "--top", "3");
        assertThat(search.exitCode()).as(search.err()).isZero();
        assertThat(ranked(search.out())).containsExactly("red.png@1.0000",
                String.format(Locale.ROOT, "orange.png@%.4f", 255 / Math.hypot(255, 128)),
                String.format(Locale.ROOT, "yellow.png@%.4f", Math.sqrt(0.5)));
        assertThat(search.out().lines().findFirst().orElseThrow()).endsWith(pictures.resolve("red.png").toAbsolutePath().toString());

        Run again = run("add", pictures.toString(), "--index", index.toString());
        assertThat(again.out()).contains("4 pictures found: 0 added, 0 changed, 0 moved, 4 unchanged, 0 removed");
        assertThat(clipsLoaded).containsOnly(LibraryCommand.DEFAULT_CLIP);
    }

    @Test
    void searchByPictureFindsTheSameColourFirst() throws IOException {
        assertThat(run("add", pictures.toString(), "--index", index.toString()).exitCode()).isZero();
        Path query = tmp.resolve("query.png");
        write(query, new Color(10, 200, 10));
        Run search = run("search", "--image", query.toString(), "--index", index.toString(), "--top", "2");
        assertThat(search.exitCode()).as(search.err()).isZero();
        assertThat(ranked(search.out())).hasSize(2);
        assertThat(ranked(search.out()).get(0)).startsWith("green.png@");
        assertThat(ranked(search.out()).get(1)).startsWith("yellow.png@");
    }

    @Test
    void theDefaultIndexFolderComesFromTheEnvironment() {
        Path library = tmp.resolve("data/library");
        env.put("ATELIER_LIBRARY_DIR", library.toString());
        Run add = run("add", pictures.toString(), "--clip", "./my-clip");
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(add.out()).contains("library " + library + ": 4 pictures");
        assertThat(clipsLoaded).containsExactly("./my-clip");

        env.clear();
        env.put("XDG_DATA_HOME", tmp.resolve("xdg").toString());
        Run search = run("search", "green");
        assertThat(search.exitCode()).isEqualTo(1);
        assertThat(search.err().strip()).isEqualTo("error: no picture library in " + tmp.resolve("xdg/atelier/library")
                + " yet: add pictures with 'atelier library add FOLDER…'");
    }

    @Test
    void aMissingFolderFailsInOneLineBeforeTheModelLoads() {
        Path missing = tmp.resolve("nowhere");
        Run add = run("add", pictures.toString(), missing.toString(), "--index", index.toString());
        assertThat(add.exitCode()).isEqualTo(1);
        assertThat(add.err().strip()).isEqualTo("error: folder not found: " + missing + " (nothing was indexed)");
        assertThat(clipsLoaded).isEmpty();
        assertThat(index).doesNotExist();
    }

    @Test
    void anUndecodablePictureIsSkippedWithALineNamingIt() throws IOException {
        Path broken = Files.write(pictures.resolve("broken.webp"), new byte[] {1, 2, 3, 4});
        Run add = run("add", pictures.toString(), "--index", index.toString());
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(add.err().lines().filter(l -> l.contains("skipped: ")).toList()).singleElement()
                .satisfies(line -> assertThat(line).contains(broken.toString()));
        assertThat(add.out()).contains("5 pictures found: 4 added").contains("1 skipped");
    }

    @Test
    void aQueryAndAPictureTogetherAreAUsageError() {
        Run r = run("search", "red", "--image", "x.png", "--index", index.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("mutually exclusive");
        Run none = run("search", "--index", index.toString());
        assertThat(none.exitCode()).isEqualTo(2);
    }

    @Test
    void theRootCommandListsLibrary() {
        AtelierCommandTest.Run help = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "--help");
        assertThat(help.out()).containsPattern("(?m)^\\s+library\\s+\\S");
    }

    /** Mean colour for pictures, colour words for text: cosines known in closed form. */
    static final class MeanColourClip implements ImageTextEmbedder {
        private static final Map<String, float[]> WORDS = Map.of("red", new float[] {1, 0, 0},
                "green", new float[] {0, 1, 0}, "blue", new float[] {0, 0, 1});

        @Override public int dimension() { return 3; }
        @Override public String modelId() { return "mean-colour"; }

        @Override
        public float[] embedText(String text) {
            float[] sum = new float[3];
            for (String word : text.split("\\W+")) {
                float[] v = WORDS.getOrDefault(word, new float[3]);
                for (int i = 0; i < 3; i++) sum[i] += v[i];
            }
            return unit(sum);
        }

        @Override
        public float[] embedImage(BufferedImage image) {
            float[] sum = new float[3];
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int rgb = image.getRGB(x, y);
                    sum[0] += (rgb >> 16) & 0xff;
                    sum[1] += (rgb >> 8) & 0xff;
                    sum[2] += rgb & 0xff;
                }
            }
            return unit(sum);
        }

        private static float[] unit(float[] v) {
            double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
            return new float[] {(float) (v[0] / n), (float) (v[1] / n), (float) (v[2] / n)};
        }

        @Override public void close() { }
    }
}
