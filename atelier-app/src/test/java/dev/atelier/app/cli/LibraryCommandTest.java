package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.within;

import dev.atelier.testkit.vision.ToyClip;
import dev.atelier.vision.clip.OnnxClipModel;
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
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LibraryCommandTest {
    /** The analytic toy CLIP export (ONNX), written once for the class. */
    @TempDir static Path clip;
    @TempDir Path tmp;
    Path pictures;
    Path index;
    final Map<String, String> env = new HashMap<>();
    final List<String> clipsLoaded = new ArrayList<>();

    record Run(int exitCode, String out, String err) {}

    @BeforeAll
    static void toyClip() { ToyClip.write(clip, ToyClip.Layout.SINGLE); }

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
            return OnnxClipModel.open(clip);
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
        return out.lines().map(l -> l.strip().split("\\s+")).map(p -> Path.of(p[1]).getFileName() + "@" + p[0]).toList();
    }

    static double score(String out, int line) {
        return Double.parseDouble(out.lines().toList().get(line).strip().split("\\s+")[0]);
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
        assertThat(ranked(search.out())).hasSize(3);
        assertThat(ranked(search.out()).get(0)).startsWith("red.png@");
        assertThat(ranked(search.out()).get(1)).startsWith("orange.png@");
        assertThat(ranked(search.out()).get(2)).startsWith("yellow.png@");
        assertThat(score(search.out(), 0)).isCloseTo(ToyClip.similarity(new Color(255, 0, 0), "red"), within(2e-3));
        assertThat(score(search.out(), 1)).isCloseTo(ToyClip.similarity(new Color(255, 128, 0), "red"), within(2e-3));
        assertThat(search.out().lines().findFirst().orElseThrow()).endsWith(pictures.resolve("red.png").toAbsolutePath().toString());

        Run again = run("add", pictures.toString(), "--index", index.toString());
        assertThat(again.out()).contains("4 pictures found: 0 added, 0 changed, 0 moved, 4 unchanged, 0 removed");
        assertThat(clipsLoaded).containsOnly(LibraryCommand.DEFAULT_CLIP);
    }

    @Test
    void theRealCommandLineIndexesAndSearchesThroughTheToyClipFolder() {
        AtelierCommandTest.Run add = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "library", "add",
                pictures.toString(), "--clip", clip.toString(), "--index", index.toString());
        assertThat(add.exitCode()).as(add.err()).isZero();
        assertThat(add.out()).contains("4 pictures found: 4 added");
        AtelierCommandTest.Run search = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "library", "search",
                "green", "--clip", clip.toString(), "--index", index.toString(), "--top", "1");
        assertThat(search.exitCode()).as(search.err()).isZero();
        assertThat(ranked(search.out())).singleElement().asString().startsWith("green.png@");
        assertThat(search.err()).isEmpty();
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
}
