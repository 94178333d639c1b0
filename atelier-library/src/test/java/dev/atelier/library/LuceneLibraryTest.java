package dev.atelier.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.AtelierException;
import dev.atelier.testkit.vision.ToyClip;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library on the analytic toy CLIP (ONNX Runtime), whose similarities are known in closed form. */
class LuceneLibraryTest {
    static final Map<String, Color> COLOURS = Map.of("red.png", new Color(255, 0, 0),
            "orange.png", new Color(255, 128, 0), "yellow.png", new Color(255, 255, 0),
            "grey.png", new Color(128, 128, 128), "green.png", new Color(0, 255, 0));

    /** The analytic toy CLIP export, written once for the class. */
    @TempDir static Path clip;
    @TempDir Path tmp;
    Path pictures;
    Path index;

    @BeforeEach
    void fivePictures() {
        pictures = tmp.resolve("pictures");
        index = tmp.resolve("index");
        for (var e : COLOURS.entrySet()) {
            String folder = e.getKey().startsWith("gre") ? "more/" : "";
            FlatPictures.write(pictures.resolve(folder + e.getKey()), e.getValue());
        }
    }

    static List<String> names(List<LibraryMatch> matches) {
        return matches.stream().map(m -> m.path().getFileName().toString()).toList();
    }

    @Test
    void wordsRankTheFlatColourPicturesInTheKnownOrder() {
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip))) {
            AddReport report = library.add(List.of(pictures), AddListener.NONE);
            assertThat(report.added()).isEqualTo(5);
            assertThat(report.size()).isEqualTo(5);

            List<LibraryMatch> red = library.search("a photo of something red", 5);
            assertThat(names(red)).containsExactly("red.png", "orange.png", "yellow.png", "grey.png", "green.png");
            // the toy's cosines in closed form: 0.984, 0.845, 0.400, 0.155, -0.380
            for (LibraryMatch m : red) assertThat(m.score()).isCloseTo(expected(m, "red"), within(2e-3));
            assertThat(red.get(0).path()).isEqualTo(pictures.resolve("red.png").toAbsolutePath());
            assertThat(red.get(0).contentHash()).hasSize(64);

            assertThat(names(library.search("green", 5)))
                    .containsExactly("green.png", "yellow.png", "grey.png", "orange.png", "red.png");
            assertThat(names(library.search("a green house", 2))).containsExactly("green.png", "yellow.png");
        }
    }

    private static double expected(LibraryMatch match, String word) {
        return ToyClip.similarity(COLOURS.get(match.path().getFileName().toString()), word);
    }

    @Test
    void aPictureFindsTheMostSimilarColoursFirst() {
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip))) {
            library.add(List.of(pictures), AddListener.NONE);
            Color query = new Color(200, 100, 0);
            List<LibraryMatch> similar = library.searchSimilar(FlatPictures.flat(query, 32), 5);
            assertThat(names(similar)).containsExactly("orange.png", "red.png", "yellow.png", "green.png", "grey.png");
            for (LibraryMatch m : similar) {
                assertThat(m.score()).isCloseTo(ToyClip.cosine(ToyClip.imageVector(query),
                        ToyClip.imageVector(COLOURS.get(m.path().getFileName().toString()))), within(2e-3));
            }
        }
    }

    @Test
    void aSecondAddEmbedsOnlyNewAndChangedPictures() throws IOException {
        CountingEmbedder embedder = CountingEmbedder.toyClip(clip);
        try (LuceneLibrary library = LuceneLibrary.open(index, embedder)) {
            assertThat(library.add(List.of(pictures), AddListener.NONE).embedded()).isEqualTo(5);
            assertThat(embedder.imagesEmbedded).hasValue(5);

            AddReport again = library.add(List.of(pictures), AddListener.NONE);
            assertThat(again.unchanged()).isEqualTo(5);
            assertThat(again.added() + again.changed() + again.removed() + again.embedded()).isZero();
            assertThat(embedder.imagesEmbedded).hasValue(5);

            // same bytes, new timestamp: hashed, found equal, not embedded
            Files.setLastModifiedTime(pictures.resolve("red.png"),
                    java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
            FlatPictures.write(pictures.resolve("orange.png"), new Color(0, 0, 255)); // orange turns blue
            FlatPictures.write(pictures.resolve("new/white.png"), new Color(255, 255, 255));
            AddReport third = library.add(List.of(pictures), AddListener.NONE);
            assertThat(third.changed()).isEqualTo(1);
            assertThat(third.added()).isEqualTo(1);
            assertThat(third.unchanged()).isEqualTo(4);
            assertThat(third.embedded()).isEqualTo(2);
            assertThat(embedder.imagesEmbedded).hasValue(7);
            assertThat(library.size()).isEqualTo(6);
            assertThat(names(library.search("blue", 1))).containsExactly("orange.png");
            assertThat(names(library.search("white", 1))).containsExactly("white.png");
        }
    }

    @Test
    void removedPicturesLeaveTheIndexAndMovedOnesKeepTheirEmbedding() throws IOException {
        CountingEmbedder embedder = CountingEmbedder.toyClip(clip);
        try (LuceneLibrary library = LuceneLibrary.open(index, embedder)) {
            library.add(List.of(pictures), AddListener.NONE);
            Files.delete(pictures.resolve("more/grey.png"));
            Files.createDirectories(pictures.resolve("moved"));
            Files.move(pictures.resolve("red.png"), pictures.resolve("moved/scarlet.png"));
            Files.copy(pictures.resolve("yellow.png"), pictures.resolve("more/yellow-copy.png"));

            List<Path> settled = new ArrayList<>();
            AddReport report = library.add(List.of(pictures), new AddListener() {
                @Override public void settled(Path picture, Outcome outcome) { settled.add(picture); }
            });
            assertThat(report.removed()).isEqualTo(1);
            assertThat(report.moved()).isEqualTo(1);
            assertThat(report.added()).isEqualTo(1); // the copy
            assertThat(report.embedded()).isZero();
            assertThat(embedder.imagesEmbedded).hasValue(5);
            assertThat(settled).hasSize(5);
            assertThat(library.size()).isEqualTo(5);

            List<LibraryMatch> all = library.search("red", 10);
            assertThat(names(all)).doesNotContain("grey.png", "red.png").contains("scarlet.png", "yellow-copy.png");
            assertThat(names(all).getFirst()).isEqualTo("scarlet.png");
            // the moved picture kept red.png's embedding: the toy's red picture against the word red
            assertThat(all.getFirst().score()).isCloseTo(ToyClip.similarity(COLOURS.get("red.png"), "red"), within(2e-3));
        }
    }

    @Test
    void onlyTheFoldersAddedAreReconciled() throws IOException {
        Path other = tmp.resolve("other");
        FlatPictures.write(other.resolve("blue.png"), new Color(0, 0, 255));
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip))) {
            library.add(List.of(pictures, other), AddListener.NONE);
            AddReport report = library.add(List.of(other), AddListener.NONE);
            assertThat(report.removed()).isZero();
            assertThat(report.unchanged()).isEqualTo(1);
            assertThat(library.size()).isEqualTo(6);
        }
    }

    @Test
    void theIndexSurvivesARestart() {
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip))) {
            library.add(List.of(pictures), AddListener.NONE);
        }
        CountingEmbedder fresh = CountingEmbedder.toyClip(clip);
        try (LuceneLibrary reopened = LuceneLibrary.open(index, fresh)) {
            assertThat(reopened.size()).isEqualTo(5);
            assertThat(reopened.indexedModel()).isEqualTo(fresh.modelId()).startsWith("atelier/toy-clip@");
            assertThat(names(reopened.search("red", 5)))
                    .containsExactly("red.png", "orange.png", "yellow.png", "grey.png", "green.png");
            assertThat(reopened.add(List.of(pictures), AddListener.NONE).unchanged()).isEqualTo(5);
            assertThat(fresh.imagesEmbedded).hasValue(0);
        }
    }

    @Test
    void anUndecodablePictureIsSkippedWithOneLineNamingIt() throws IOException {
        Path broken = Files.writeString(pictures.resolve("broken.jpg"), "this is not a JPEG");
        List<String> lines = new ArrayList<>();
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip))) {
            AddReport report = library.add(List.of(pictures), new AddListener() {
                @Override public void failed(Path picture, String reason) { lines.add(reason); }
            });
            assertThat(report.added()).isEqualTo(5);
            assertThat(report.failed()).singleElement().satisfies(f -> {
                assertThat(f.path()).isEqualTo(broken.toAbsolutePath());
                assertThat(f.reason()).contains(broken.toString()).doesNotContain("\n");
            });
            assertThat(lines).hasSize(1);
            assertThat(library.size()).isEqualTo(5);
            assertThat(names(library.search("red", 10))).doesNotContain("broken.jpg");

            // a picture that was indexed and then got damaged leaves the index rather than keep a stale embedding
            Files.writeString(pictures.resolve("red.png"), "damaged");
            AddReport again = library.add(List.of(pictures), AddListener.NONE);
            assertThat(again.failed()).hasSize(2);
            assertThat(library.size()).isEqualTo(4);
        }
    }

    @Test
    void aMissingFolderIsAnErrorBeforeAnythingIsIndexed() {
        CountingEmbedder embedder = CountingEmbedder.toyClip(clip);
        Path missing = tmp.resolve("no-such-folder");
        try (LuceneLibrary library = LuceneLibrary.open(index, embedder)) {
            assertThatThrownBy(() -> library.add(List.of(pictures, missing), AddListener.NONE))
                    .isInstanceOf(AtelierException.class)
                    .hasMessage("folder not found: " + missing + " (nothing was indexed)");
            assertThat(embedder.imagesEmbedded).hasValue(0);
            assertThat(library.size()).isZero();
        }
        assertThat(index).doesNotExist();
    }

    @Test
    void anIndexOfAnotherModelIsRefusedUntilRebuilt() {
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip, "model-a", 0))) {
            library.add(List.of(pictures), AddListener.NONE);
        }
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip, "model-b", 0))) {
            assertThatThrownBy(() -> library.search("red", 3)).isInstanceOf(AtelierException.class)
                    .hasMessageContaining("'model-a', not 'model-b'").hasMessageContaining("--rebuild");
            assertThatThrownBy(() -> library.add(List.of(pictures), AddListener.NONE))
                    .hasMessageContaining("'model-a', not 'model-b'");
            AddReport rebuilt = library.rebuild(List.of(pictures), AddListener.NONE);
            assertThat(rebuilt.added()).isEqualTo(5);
            assertThat(library.indexedModel()).isEqualTo("model-b");
            assertThat(names(library.search("red", 1))).containsExactly("red.png");
        }
    }

    @Test
    void aFolderOfOtherFilesIsNotTakenForAnIndex() {
        assertThatThrownBy(() -> LuceneLibrary.open(pictures, CountingEmbedder.toyClip(clip)))
                .isInstanceOf(AtelierException.class).hasMessageContaining("holds other files");
    }

    @Test
    void captionsAreStoredWhenACaptionerIsGiven() {
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip),
                image -> "a flat picture of colour #" + Integer.toHexString(image.getRGB(0, 0) & 0xffffff))) {
            library.add(List.of(pictures), AddListener.NONE);
            assertThat(library.search("green", 1).getFirst().caption()).isEqualTo("a flat picture of colour #ff00");
        }
    }

    @Test
    void aSecondWriterIsToldToWaitAndSearchesStillWork() throws IOException {
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip))) {
            library.add(List.of(pictures), AddListener.NONE);
            // another process's add holds Lucene's write lock
            try (var held = new org.apache.lucene.index.IndexWriter(org.apache.lucene.store.FSDirectory.open(index),
                    new org.apache.lucene.index.IndexWriterConfig().setCommitOnClose(false))) {
                assertThatThrownBy(() -> library.add(List.of(pictures), AddListener.NONE))
                        .isInstanceOf(AtelierException.class).hasMessageContaining("another 'atelier library add'");
                assertThat(names(library.search("red", 1))).containsExactly("red.png");
            }
        }
    }

    @Test
    void searchingAnEmptyOrMissingLibraryFindsNothing() {
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip))) {
            assertThat(library.size()).isZero();
            assertThat(library.search("red", 3)).isEmpty();
        }
        assertThat(index).doesNotExist();
    }
}
