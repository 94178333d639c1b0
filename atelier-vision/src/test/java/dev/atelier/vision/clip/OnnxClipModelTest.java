package dev.atelier.vision.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atelier.core.AtelierException;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import dev.atelier.testkit.vision.ToyClip;
import dev.atelier.testkit.vision.ToyClip.Layout;
import dev.atelier.testkit.vision.ToyClip.Spec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OnnxClipModelTest {

    @TempDir Path tmp;

    static final Color ORANGE = new Color(255, 165, 0);
    static final List<Color> PALETTE = List.of(Color.RED, ORANGE, Color.MAGENTA, Color.BLACK, Color.WHITE, Color.GREEN,
            Color.BLUE, Color.GRAY);

    static BufferedImage flat(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("single at root", Spec.of(Layout.SINGLE)),
                Arguments.of("single under onnx/", Spec.of(Layout.SINGLE).inOnnxDir()),
                Arguments.of("split at root", Spec.of(Layout.SPLIT)),
                Arguments.of("split under onnx/, tokenizer/", Spec.of(Layout.SPLIT).inOnnxDir().withTokenizerSubfolder()),
                Arguments.of("single, int32 ids", Spec.of(Layout.SINGLE).withIds(ElemType.INT32)),
                Arguments.of("split, int32 ids and a mask", Spec.of(Layout.SPLIT).withIds(ElemType.INT32).withAttentionMask(true)),
                Arguments.of("single without a mask", Spec.of(Layout.SINGLE).withAttentionMask(false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void similaritiesFollowTheClosedForm(String name, Spec spec) {
        try (OnnxClipModel clip = OnnxClipModel.open(ToyClip.write(tmp.resolve("clip"), spec))) {
            assertEquals(ToyClip.DIMENSION, clip.dimension());
            assertEquals(spec.layout() == Layout.SINGLE ? ClipExport.Layout.SINGLE : ClipExport.Layout.SPLIT, clip.export().layout());
            for (String word : List.of("red", "green", "blue", "yellow")) {
                float[] text = clip.embedText("a photo of a " + word + " house");
                assertEquals(1.0, norm(text), 1e-5);
                for (Color c : PALETTE) {
                    float[] image = clip.embedImage(flat(300, 200, c));
                    assertEquals(1.0, norm(image), 1e-5);
                    // float32 means over 224x224 pixels inside the graph: about 1e-5 relative error
                    assertEquals(ToyClip.similarity(c, word), ImageTextEmbedder.similarity(text, image), 2e-4,
                            word + " against " + c);
                }
            }
            // Two colour words add up.
            float[] mixed = clip.embedText("red and blue");
            assertEquals(ToyClip.similarity(Color.MAGENTA, "red", "blue"),
                    ImageTextEmbedder.similarity(mixed, clip.embedImage(flat(50, 50, Color.MAGENTA))), 2e-4);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void redTextRanksFlatColoursInTheKnownOrder(String name, Spec spec) {
        try (OnnxClipModel clip = OnnxClipModel.open(ToyClip.write(tmp.resolve("clip"), spec))) {
            float[] red = clip.embedText("red");
            List<Color> pictures = List.of(Color.WHITE, Color.GREEN, Color.BLACK, ORANGE, Color.RED, Color.MAGENTA);
            List<float[]> embeddings = clip.embedImages(pictures.stream().map(c -> flat(64, 48, c)).toList());
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
            order.sort(Comparator.comparingDouble(i -> -ImageTextEmbedder.similarity(red, embeddings.get(i))));
            // cosines against red's [0.4, −0.3, −0.3, 0.1]: red .98, orange .73, magenta .40, black .20, white −.19, green −.38
            assertEquals(List.of(Color.RED, ORANGE, Color.MAGENTA, Color.BLACK, Color.WHITE, Color.GREEN),
                    order.stream().map(pictures::get).toList());
        }
    }

    @Test
    void batchesGiveTheSameEmbeddingsAsSingleCalls() {
        try (OnnxClipModel clip = OnnxClipModel.open(ToyClip.write(tmp.resolve("clip"), Layout.SPLIT))) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 20; i++) texts.add(List.copyOf(ToyPipeline.COLOURS.keySet()).get(i % 8) + " cat");
            List<float[]> batch = clip.embedTexts(texts);
            assertEquals(20, batch.size());
            for (int i = 0; i < 20; i++) assertArrayEquals(clip.embedText(texts.get(i)), batch.get(i), 1e-6f);
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < 18; i++) images.add(flat(40 + i, 30, PALETTE.get(i % PALETTE.size())));
            List<float[]> imageBatch = clip.embedImages(images);
            for (int i = 0; i < 18; i++) assertArrayEquals(clip.embedImage(images.get(i)), imageBatch.get(i), 1e-6f);
        }
    }

    @Test
    void theDeclaredPreprocessingIsApplied() {
        // The graph undoes mean = std = 0.5; CLIP's defaults would give other vectors.
        double[] half = {0.5, 0.5, 0.5};
        Spec spec = Spec.of(Layout.SPLIT).withPreprocessor(32, half, half);
        try (OnnxClipModel clip = OnnxClipModel.open(ToyClip.write(tmp.resolve("clip"), spec))) {
            assertEquals(32, clip.preprocessor().cropHeight());
            assertArrayEquals(half, clip.preprocessor().mean());
            Color teal = new Color(20, 140, 160);
            assertEquals(ToyClip.similarity(teal, "blue"),
                    ImageTextEmbedder.similarity(clip.embedText("blue"), clip.embedImage(flat(90, 40, teal))), 1e-5);
            // 64x32, left half red, right half blue: shortest edge 32 keeps the size; the centre crop takes
            // columns 16..47, half of each, so the mean colour is (127.5, 0, 127.5).
            BufferedImage halves = flat(64, 32, Color.RED);
            Graphics2D g = halves.createGraphics();
            g.setColor(Color.BLUE);
            g.fillRect(32, 0, 32, 32);
            g.dispose();
            float[] expected = ToyClip.imageVector(127.5, 0, 127.5);
            assertEquals(ToyClip.cosine(ToyClip.textVector("purple"), expected),
                    ImageTextEmbedder.similarity(clip.embedText("purple"), clip.embedImage(halves)), 1e-5);
        }
    }

    @Test
    void aToyPipelinePictureMatchesItsColourWord() {
        try (OnnxClipModel clip = OnnxClipModel.open(ToyClip.write(tmp.resolve("clip"), Layout.SINGLE))) {
            // red, green and blue carry w4 = 0.1 = the image bias, so their pictures point along the word exactly
            for (String word : List.of("red", "green", "blue")) {
                BufferedImage rendered = flat(64, 64, ToyClip.colourOf(word));
                double score = ClipScore.of(clip, rendered, "a photo of a " + word + " cat");
                assertTrue(score > 99.9, word + " scored " + score);
            }
            // purple's w4 is −0.05: cos = 0.285 / √(0.2925 · 0.30)
            double purple = ClipScore.of(clip, flat(64, 64, ToyClip.colourOf("purple")), "purple");
            assertEquals(100 * ToyClip.similarity(ToyClip.colourOf("purple"), "purple"), purple, 2e-2);
            assertEquals(100 * 0.285 / Math.sqrt(0.2925 * 0.30), purple, 0.3);
        }
    }

    @Test
    void clipScoreIsHundredTimesThePositiveCosine() {
        assertEquals(31.5, ClipScore.fromCosine(0.315), 1e-12);
        assertEquals(0, ClipScore.fromCosine(-0.2));
        assertThrows(IllegalArgumentException.class, () -> ClipScore.fromCosine(Double.NaN));
        try (OnnxClipModel clip = OnnxClipModel.open(ToyClip.write(tmp.resolve("clip"), Layout.SPLIT))) {
            assertEquals(100 * ToyClip.similarity(ORANGE, "red"), ClipScore.of(clip, flat(80, 80, ORANGE), "red"), 2e-2);
            assertEquals(0, ClipScore.of(clip, flat(80, 80, Color.GREEN), "red")); // cosine −0.38
        }
    }

    @Test
    void aTextWithoutColourWordsEmbedsToZeroNotNaN() {
        try (OnnxClipModel clip = OnnxClipModel.open(ToyClip.write(tmp.resolve("clip"), Layout.SINGLE))) {
            float[] v = clip.embedText("a photo of a cat");
            assertArrayEquals(new float[4], v);
            assertEquals(0, ClipScore.of(clip, flat(10, 10, Color.RED), "a photo of a cat"));
        }
    }

    @Test
    void modelIdIsStableAndTellsExportsApart() {
        Path a = ToyClip.write(tmp.resolve("a"), Layout.SPLIT);
        Path b = ToyClip.write(tmp.resolve("b"), Spec.of(Layout.SPLIT).withPreprocessor(32, ToyClip.CLIP_MEAN, ToyClip.CLIP_STD));
        String idA;
        try (OnnxClipModel clip = OnnxClipModel.open(a)) {
            idA = clip.modelId();
            assertTrue(idA.startsWith("atelier/toy-clip@"), idA);
        }
        try (OnnxClipModel clip = OnnxClipModel.open(a)) {
            assertEquals(idA, clip.modelId());
        }
        try (OnnxClipModel clip = OnnxClipModel.open(b)) {
            assertNotEquals(idA, clip.modelId());
        }
    }

    // ---------------------------------------------------------------- wrong layouts

    private static String oneLineError(Path dir) {
        AtelierException e = assertThrows(AtelierException.class, () -> OnnxClipModel.open(dir).close());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aFolderOfTheWrongLayoutSaysWhatWasExpectedAndFound() throws Exception {
        Path sd = ToyPipeline.write(tmp.resolve("sd"), ToyPipeline.Spec.sd15());
        String msg = oneLineError(sd);
        assertTrue(msg.contains("expected model.onnx, or text_model.onnx and vision_model.onnx"), msg);
        assertTrue(msg.contains("text_encoder/model.onnx"), msg);

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(oneLineError(empty).contains("found no .onnx files"));
        assertTrue(oneLineError(tmp.resolve("missing")).contains("does not exist"));

        Path half = ToyClip.write(tmp.resolve("half"), Spec.of(Layout.SPLIT).inOnnxDir());
        Files.delete(half.resolve("onnx/vision_model.onnx"));
        msg = oneLineError(half);
        assertTrue(msg.contains("onnx/text_model.onnx but not vision_model.onnx"), msg);
    }

    @Test
    void aVariantOfTheFilesIsChosenBySuffix() throws Exception {
        Path dir = ToyClip.write(tmp.resolve("clip"), Spec.of(Layout.SPLIT).inOnnxDir());
        Files.move(dir.resolve("onnx/text_model.onnx"), dir.resolve("onnx/text_model_quantized.onnx"));
        Files.move(dir.resolve("onnx/vision_model.onnx"), dir.resolve("onnx/vision_model_quantized.onnx"));
        String msg = oneLineError(dir);
        assertTrue(msg.contains("onnx/text_model_quantized.onnx, onnx/vision_model_quantized.onnx"), msg);
        try (OnnxClipModel clip = OnnxClipModel.open(dir, dev.atelier.diffusion.onnx.SessionSettings.defaults(), "quantized")) {
            assertEquals(ToyClip.similarity(Color.BLUE, "blue"),
                    ImageTextEmbedder.similarity(clip.embedText("blue"), clip.embedImage(flat(30, 30, Color.BLUE))), 2e-4);
        }
        assertThrows(AtelierException.class, () -> OnnxClipModel.open(dir, dev.atelier.diffusion.onnx.SessionSettings.defaults(), "../x"));
    }

    @Test
    void aFixedSizeModelWithAnotherPreprocessingSizeIsRefused() throws Exception {
        Path dir = ToyClip.write(tmp.resolve("clip"), Spec.of(Layout.SINGLE).withFixedPixels());
        try (OnnxClipModel clip = OnnxClipModel.open(dir)) {
            assertEquals(ToyClip.similarity(Color.RED, "red"),
                    ImageTextEmbedder.similarity(clip.embedText("red"), clip.embedImage(flat(250, 300, Color.RED))), 2e-4);
        }
        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"size\": 32, \"crop_size\": 32}");
        String msg = oneLineError(dir);
        assertTrue(msg.contains("gives 32x32 pictures") && msg.contains("takes 224x224"), msg);
    }

    @Test
    void aTowerWithoutProjectionIsRefusedByName() {
        String msg = oneLineError(ToyClip.write(tmp.resolve("raw"), Spec.of(Layout.SPLIT).withoutProjection()));
        assertTrue(msg.contains("no output text_embeds"), msg);
        assertTrue(msg.contains("without its projection"), msg);
    }

    @Test
    void aMissingTokenizerIsNamed() throws Exception {
        Path dir = ToyClip.write(tmp.resolve("clip"), Layout.SINGLE);
        Files.delete(dir.resolve("merges.txt"));
        String msg = oneLineError(dir);
        assertTrue(msg.contains("no CLIP tokenizer") && msg.contains("vocab.json and merges.txt"), msg);
    }

    @Test
    void aNonClipModelOnnxIsRefused() throws Exception {
        // A Stable Diffusion text encoder renamed model.onnx: input_ids only, last_hidden_state/pooler_output.
        Path sd = ToyPipeline.write(tmp.resolve("sd"), ToyPipeline.Spec.sd15());
        Path dir = ToyClip.write(tmp.resolve("clip"), Layout.SINGLE);
        Files.copy(sd.resolve("text_encoder/model.onnx"), dir.resolve("model.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String msg = oneLineError(dir);
        assertTrue(msg.contains("pixel_values"), msg);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += x * x;
        return Math.sqrt(s);
    }
}
