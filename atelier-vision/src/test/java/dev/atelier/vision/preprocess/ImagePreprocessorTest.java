package dev.atelier.vision.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.Tensor;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePreprocessorTest {

    private static final String NO_RESIZE_HALF = """
            {"do_resize": false, "do_center_crop": false, "do_rescale": true, "rescale_factor": 0.00392156862745098,
             "do_normalize": true, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}""";

    static BufferedImage flat(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    /** Value of channel c at (y, x) of image n in an NCHW tensor. */
    static float at(Tensor.Floats t, int n, int c, int y, int x) {
        long[] s = t.shape();
        int h = (int) s[2];
        int w = (int) s[3];
        return t.data()[((n * 3 + c) * h + y) * w + x];
    }

    @Test
    void flatPictureWithClipDefaultsGivesTheNormalisedColourEverywhere() {
        Color c = new Color(200, 100, 50);
        Tensor.Floats t = ImagePreprocessor.clipDefaults().pixelValues(flat(300, 180, c));
        assertArrayEquals(new long[] {1, 3, 224, 224}, t.shape());
        int[] rgb = {200, 100, 50};
        for (int ch = 0; ch < 3; ch++) {
            float expected = (float) ((rgb[ch] / 255.0 - ImagePreprocessor.CLIP_MEAN[ch]) / ImagePreprocessor.CLIP_STD[ch]);
            for (int y = 0; y < 224; y += 37) {
                for (int x = 0; x < 224; x += 41) assertEquals(expected, at(t, 0, ch, y, x), 1e-5, "channel " + ch);
            }
        }
    }

    @Test
    void twoByTwoPictureKeepsPixelOrderAndChannels() {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000); // top-left red
        img.setRGB(1, 0, 0x00FF00); // top-right green
        img.setRGB(0, 1, 0x0000FF); // bottom-left blue
        img.setRGB(1, 1, 0x336699);
        Tensor.Floats t = ImagePreprocessor.fromJson(NO_RESIZE_HALF).pixelValues(img);
        assertArrayEquals(new long[] {1, 3, 2, 2}, t.shape());
        // (v/255 − 0.5)/0.5 = 2v/255 − 1
        float[] expected = {
                1, -1, -1, 2 * 0x33 / 255f - 1,     // R plane: rows (0,0) (0,1) (1,0) (1,1)
                -1, 1, -1, 2 * 0x66 / 255f - 1,     // G plane
                -1, -1, 1, 2 * 0x99 / 255f - 1};    // B plane
        assertArrayEquals(expected, t.data(), 1e-6f);
    }

    @Test
    void withoutRescaleOrNormaliseValuesStayInZeroTo255() {
        ImagePreprocessor p = ImagePreprocessor.fromJson("""
                {"do_resize": false, "do_center_crop": false, "do_rescale": false, "do_normalize": false}""");
        Tensor.Floats t = p.pixelValues(flat(3, 2, new Color(10, 20, 30)));
        assertEquals(10, at(t, 0, 0, 1, 2), 0);
        assertEquals(20, at(t, 0, 1, 0, 0), 0);
        assertEquals(30, at(t, 0, 2, 1, 1), 0);
    }

    /** A picture whose pixel (x, y) has red = 10·x and green = 10·y, so every value says where it came from. */
    static BufferedImage coordinates(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, (10 * x) << 16 | (10 * y) << 8);
        return img;
    }

    private static ImagePreprocessor rawCrop(int h, int w) {
        return ImagePreprocessor.fromJson("""
                {"do_resize": false, "do_center_crop": true, "crop_size": {"height": %d, "width": %d},
                 "do_rescale": false, "do_normalize": false}""".formatted(h, w));
    }

    @Test
    void centreCropStartsAtHalfTheSurplusRoundedDown() {
        // 7 wide, 4 high, crop 2x3: top = floor((4-2)/2) = 1, left = floor((7-3)/2) = 2
        Tensor.Floats t = rawCrop(2, 3).pixelValues(coordinates(7, 4));
        assertArrayEquals(new long[] {1, 3, 2, 3}, t.shape());
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(10 * (x + 2), at(t, 0, 0, y, x), 0);
                assertEquals(10 * (y + 1), at(t, 0, 1, y, x), 0);
            }
        }
        // odd surplus: 6 wide, crop 3 → left = floor(3/2) = 1
        Tensor.Floats odd = rawCrop(4, 3).pixelValues(coordinates(6, 4));
        assertEquals(10, at(odd, 0, 0, 0, 0), 0);
        assertEquals(30, at(odd, 0, 0, 0, 2), 0);
    }

    @Test
    void cropLargerThanThePictureZeroPadsWithTheOddPixelBefore() {
        // 3 wide into 6: two columns of padding before, one after
        Tensor.Floats t = rawCrop(2, 6).pixelValues(flat(3, 2, new Color(90, 90, 90)));
        float[] row = new float[6];
        for (int x = 0; x < 6; x++) row[x] = at(t, 0, 0, 0, x);
        assertArrayEquals(new float[] {0, 0, 90, 90, 90, 0}, row, 0);
        // Padding is zero before normalisation, so it normalises to −mean/std.
        Tensor.Floats n = ImagePreprocessor.fromJson("""
                {"do_resize": false, "crop_size": {"height": 2, "width": 6}}""").pixelValues(flat(3, 2, Color.WHITE));
        assertEquals((float) (-ImagePreprocessor.CLIP_MEAN[1] / ImagePreprocessor.CLIP_STD[1]), at(n, 0, 1, 1, 0), 1e-6);
        assertEquals((float) ((1 - ImagePreprocessor.CLIP_MEAN[1]) / ImagePreprocessor.CLIP_STD[1]), at(n, 0, 1, 1, 3), 1e-6);
    }

    @Test
    void shortestEdgeKeepsTheAspectRatioTruncatingTheLongSide() {
        ImagePreprocessor p = ImagePreprocessor.clipDefaults();
        assertArrayEquals(new int[] {224, 336}, p.resizedSize(200, 300));
        assertArrayEquals(new int[] {336, 224}, p.resizedSize(300, 200));
        assertArrayEquals(new int[] {521, 224}, p.resizedSize(233, 100)); // 224·233/100 = 521.92
        assertArrayEquals(new int[] {224, 224}, p.outputSize(233, 100));
        ImagePreprocessor noCrop = ImagePreprocessor.fromJson("{\"do_center_crop\": false, \"size\": {\"shortest_edge\": 10}}");
        Tensor.Floats t = noCrop.pixelValues(flat(40, 20, Color.RED));
        assertArrayEquals(new long[] {1, 3, 10, 20}, t.shape());
        ImagePreprocessor capped = ImagePreprocessor.fromJson("{\"size\": {\"shortest_edge\": 100, \"longest_edge\": 150}}");
        assertArrayEquals(new int[] {75, 150}, capped.resizedSize(100, 200));
    }

    @Test
    void wideStripedPictureCropsToItsMiddleStripe() {
        // 600x200: red | green | blue thirds. Shortest edge 224 → 672x224; the centre 224 columns are the green third.
        BufferedImage img = new BufferedImage(600, 200, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 200, 200);
        g.setColor(Color.GREEN);
        g.fillRect(200, 0, 200, 200);
        g.setColor(Color.BLUE);
        g.fillRect(400, 0, 200, 200);
        g.dispose();
        ImagePreprocessor p = ImagePreprocessor.fromJson("""
                {"do_rescale": false, "do_normalize": false}""");
        Tensor.Floats t = p.pixelValues(img);
        assertArrayEquals(new long[] {1, 3, 224, 224}, t.shape());
        for (int x = 4; x < 220; x++) {
            assertEquals(0, at(t, 0, 0, 100, x), 0, "red at column " + x);
            assertEquals(255, at(t, 0, 1, 100, x), 0, "green at column " + x);
        }
        // The first column's bicubic kernel reaches back into the red stripe.
        assertNotEquals(0f, at(t, 0, 0, 100, 0));
    }

    @Test
    void bilinearDownscaleAveragesOverTheWidenedKernel() {
        // Pillow's bilinear 4 → 2: output 0 is centred at input 1.0 with taps 0,1,2 weighted 3:3:1.
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_INT_RGB);
        int[] ramp = {0, 70, 140, 210};
        for (int x = 0; x < 4; x++) img.setRGB(x, 0, ramp[x] << 16);
        ImagePreprocessor p = ImagePreprocessor.fromJson("""
                {"size": {"height": 1, "width": 2}, "resample": 2, "do_center_crop": false,
                 "do_rescale": false, "do_normalize": false}""");
        Tensor.Floats t = p.pixelValues(img);
        assertArrayEquals(new float[] {50, 160}, new float[] {at(t, 0, 0, 0, 0), at(t, 0, 0, 0, 1)}, 0);
    }

    @Test
    void transparentPixelsBecomeWhite() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00000000);
        Tensor.Floats t = ImagePreprocessor.fromJson(NO_RESIZE_HALF).pixelValues(img);
        assertArrayEquals(new float[] {1, 1, 1}, t.data(), 1e-6f);
        ImagePreprocessor keep = ImagePreprocessor.fromJson(NO_RESIZE_HALF.replace("{", "{\"do_convert_rgb\": false,"));
        assertArrayEquals(new float[] {-1, -1, -1}, keep.pixelValues(img).data(), 1e-6f);
    }

    @Test
    void batchesStackPictures() {
        Tensor.Floats t = ImagePreprocessor.clipDefaults().pixelValues(List.of(flat(50, 60, Color.BLACK), flat(90, 30, Color.WHITE)));
        assertArrayEquals(new long[] {2, 3, 224, 224}, t.shape());
        assertTrue(at(t, 0, 0, 5, 5) < 0);
        assertTrue(at(t, 1, 0, 5, 5) > 0);
        ImagePreprocessor noCrop = ImagePreprocessor.fromJson("{\"do_center_crop\": false}");
        assertThrows(AtelierException.class, () -> noCrop.pixelValues(List.of(flat(50, 60, Color.BLACK), flat(90, 30, Color.BLACK))));
    }

    @Test
    void readsClipProcessorConfig() {
        ImagePreprocessor p = ImagePreprocessor.fromJson("""
                {"crop_size": {"height": 224, "width": 224}, "do_center_crop": true, "do_convert_rgb": true,
                 "do_normalize": true, "do_rescale": true, "do_resize": true,
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_processor_type": "CLIPImageProcessor",
                 "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "rescale_factor": 0.00392156862745098,
                 "size": {"shortest_edge": 224}}""");
        assertEquals(ImagePreprocessor.clipDefaults().size(), p.size());
        assertEquals(Resampling.BICUBIC, p.resample());
        assertArrayEquals(ImagePreprocessor.CLIP_STD, p.std());
    }

    @Test
    void readsOldFeatureExtractorIntegersByFlavour() {
        ImagePreprocessor clip = ImagePreprocessor.fromJson("""
                {"crop_size": 336, "do_center_crop": true, "feature_extractor_type": "CLIPFeatureExtractor",
                 "resample": 3, "size": 336}""");
        assertEquals(new ImagePreprocessor.Size.ShortestEdge(336, 0), clip.size());
        assertEquals(336, clip.cropHeight());
        assertEquals(336, clip.cropWidth());

        ImagePreprocessor vit = ImagePreprocessor.fromJson("""
                {"do_normalize": true, "do_resize": true, "feature_extractor_type": "ViTFeatureExtractor",
                 "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2, "size": 224}""");
        assertEquals(new ImagePreprocessor.Size.Exact(224, 224), vit.size());
        assertFalse(vit.centerCrop());
        assertEquals(Resampling.BILINEAR, vit.resample());
        assertArrayEquals(new long[] {1, 3, 224, 224}, vit.pixelValues(flat(500, 100, Color.GRAY)).shape());

        ImagePreprocessor vitDefaults = ImagePreprocessor.fromJson("{\"image_processor_type\": \"ViTImageProcessor\"}");
        assertEquals(ImagePreprocessor.vitDefaults().size(), vitDefaults.size());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, vitDefaults.mean());
        assertInstanceOf(ImagePreprocessor.Size.Exact.class, ImagePreprocessor.fromJson("{\"size\": {\"height\": 8, \"width\": 4}}").size());
    }

    @Test
    void modelFolderWithoutConfigUsesTheFallback(@TempDir Path dir) throws Exception {
        assertEquals(ImagePreprocessor.clipDefaults().size(), ImagePreprocessor.forModel(dir, ImagePreprocessor.clipDefaults()).size());
        Files.writeString(dir.resolve(ImagePreprocessor.CONFIG_FILE), "{\"size\": {\"shortest_edge\": 32}, \"crop_size\": 32}");
        ImagePreprocessor p = ImagePreprocessor.forModel(dir, ImagePreprocessor.clipDefaults());
        assertEquals(new ImagePreprocessor.Size.ShortestEdge(32, 0), p.size());
        assertArrayEquals(new long[] {1, 3, 32, 32}, p.pixelValues(flat(64, 40, Color.BLUE)).shape());
    }

    @Test
    void badConfigsFailInOneLine(@TempDir Path dir) throws Exception {
        for (String bad : List.of("[1]", "{\"size\": \"big\"}", "{\"resample\": 9}", "{\"image_mean\": [1, 2]}",
                "{\"image_std\": [0, 1, 1]}", "{\"do_resize\": \"yes\"}", "{not json")) {
            AtelierException e = assertThrows(AtelierException.class, () -> ImagePreprocessor.fromJson(bad), bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        Path file = dir.resolve(ImagePreprocessor.CONFIG_FILE);
        Files.writeString(file, "{\"resample\": 9}");
        AtelierException e = assertThrows(AtelierException.class, () -> ImagePreprocessor.fromFile(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }
}
