package dev.atelier.vision.preprocess;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns a picture into the {@code pixel_values} a vision model was trained on, as its Hugging Face
 * {@code preprocessor_config.json} declares (CLIPImageProcessor and ViTImageProcessor): convert to RGB, resize,
 * centre-crop, rescale, normalise, in that order. Resized pixels are rounded to 0…255 as Pillow's 8-bit resize
 * does, so values match the Python pipeline to within Pillow's fixed-point rounding.
 *
 * @param convertRgb   whether transparent pixels are composited over white (else alpha is dropped)
 * @param resize       whether to resize at all
 * @param size         the resize target
 * @param resample     the resampling filter
 * @param centerCrop   whether to crop the centre (zero-padding an image smaller than the crop)
 * @param cropHeight   crop height in pixels
 * @param cropWidth    crop width in pixels
 * @param rescale      whether pixel values 0…255 are multiplied by {@code rescaleFactor}
 * @param rescaleFactor usually 1/255
 * @param normalize    whether each channel c becomes (v − mean[c]) / std[c]
 * @param mean         per-channel mean, RGB
 * @param std          per-channel standard deviation, RGB
 */
public record ImagePreprocessor(
        boolean convertRgb,
        boolean resize,
        Size size,
        Resampling resample,
        boolean centerCrop,
        int cropHeight,
        int cropWidth,
        boolean rescale,
        double rescaleFactor,
        boolean normalize,
        double[] mean,
        double[] std) {

    /** The file name Hugging Face gives the preprocessing settings. */
    public static final String CONFIG_FILE = "preprocessor_config.json";

    /** OpenAI CLIP's channel statistics (transformers' OPENAI_CLIP_MEAN / OPENAI_CLIP_STD). */
    public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a picture is resized before cropping. */
    public sealed interface Size {
        /**
         * Shorter side becomes {@code edge}, aspect ratio kept (the longer side truncated to whole pixels);
         * {@code longestEdge} &gt; 0 caps the longer side.
         */
        record ShortestEdge(int edge, int longestEdge) implements Size {
            public ShortestEdge {
                if (edge <= 0) throw new AtelierException("preprocessor_config.json: shortest_edge must be positive, got " + edge);
            }
        }

        /** Exactly this many pixels, aspect ratio not kept. */
        record Exact(int height, int width) implements Size {
            public Exact {
                if (height <= 0 || width <= 0) {
                    throw new AtelierException("preprocessor_config.json: size must be positive, got " + height + "x" + width);
                }
            }
        }
    }

    public ImagePreprocessor {
        if (size == null) throw new IllegalArgumentException("size is required");
        if (resample == null) throw new IllegalArgumentException("resample is required");
        if (centerCrop && (cropHeight <= 0 || cropWidth <= 0)) {
            throw new AtelierException("preprocessor_config.json: crop_size must be positive, got " + cropHeight + "x" + cropWidth);
        }
        mean = channels(mean, "image_mean");
        std = channels(std, "image_std");
        for (double s : std) {
            if (!(s > 0)) throw new AtelierException("preprocessor_config.json: image_std must be positive, got " + Arrays.toString(std));
        }
    }

    @Override
    public double[] mean() { return mean.clone(); }

    @Override
    public double[] std() { return std.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImagePreprocessor p && p.toString().equals(toString());
    }

    @Override
    public int hashCode() { return toString().hashCode(); }

    /** Every setting, so equal strings mean equal preprocessing. */
    @Override
    public String toString() {
        return "ImagePreprocessor[convertRgb=" + convertRgb + ", resize=" + resize + ", size=" + size + ", resample="
                + resample + ", centerCrop=" + centerCrop + ", crop=" + cropHeight + "x" + cropWidth + ", rescale="
                + rescale + ", rescaleFactor=" + rescaleFactor + ", normalize=" + normalize + ", mean="
                + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }

    /** CLIPImageProcessor's defaults: shortest edge 224 bicubic, centre crop 224, OpenAI CLIP mean/std. */
    public static ImagePreprocessor clipDefaults() {
        return new ImagePreprocessor(true, true, new Size.ShortestEdge(224, 0), Resampling.BICUBIC, true, 224, 224,
                true, 1.0 / 255, true, CLIP_MEAN, CLIP_STD);
    }

    /** ViTImageProcessor's defaults: 224×224 bilinear, no crop, mean and std 0.5. */
    public static ImagePreprocessor vitDefaults() {
        double[] half = {0.5, 0.5, 0.5};
        return new ImagePreprocessor(true, true, new Size.Exact(224, 224), Resampling.BILINEAR, false, 224, 224,
                true, 1.0 / 255, true, half, half);
    }

    /**
     * The preprocessing a model folder declares in {@value #CONFIG_FILE}, or {@code fallback} when the folder has
     * none.
     */
    public static ImagePreprocessor forModel(Path modelDir, ImagePreprocessor fallback) {
        Path file = modelDir.resolve(CONFIG_FILE);
        return Files.isRegularFile(file) ? fromFile(file) : fallback;
    }

    /** Reads a {@value #CONFIG_FILE}. */
    public static ImagePreprocessor fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new AtelierException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromJson(text);
        } catch (AtelierException e) {
            throw new AtelierException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a preprocessor configuration. Keys it leaves out take the defaults of its processor type: ViT's for
     * {@code ViTImageProcessor}/{@code ViTFeatureExtractor} (and DeiT, BEiT), CLIP's otherwise. A bare integer
     * {@code size} means the shortest edge for CLIP and a square for ViT, as transformers reads it.
     */
    public static ImagePreprocessor fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new AtelierException("preprocessor_config.json is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new AtelierException("preprocessor_config.json is not a JSON object");
        boolean squareSizes = isVitFlavour(root);
        ImagePreprocessor d = squareSizes ? vitDefaults() : clipDefaults();

        Size size = root.hasNonNull("size") ? size(root.get("size"), squareSizes) : d.size;
        Resampling resample = root.hasNonNull("resample") ? Resampling.ofCode(integer(root, "resample")) : d.resample;
        int cropHeight = d.cropHeight;
        int cropWidth = d.cropWidth;
        if (root.hasNonNull("crop_size")) {
            Size crop = size(root.get("crop_size"), true);
            if (!(crop instanceof Size.Exact exact)) {
                throw new AtelierException("preprocessor_config.json: crop_size must be an integer or {height, width}");
            }
            cropHeight = exact.height();
            cropWidth = exact.width();
        }
        return new ImagePreprocessor(
                bool(root, "do_convert_rgb", d.convertRgb),
                bool(root, "do_resize", d.resize),
                size,
                resample,
                bool(root, "do_center_crop", d.centerCrop),
                cropHeight,
                cropWidth,
                bool(root, "do_rescale", d.rescale),
                root.hasNonNull("rescale_factor") ? number(root, "rescale_factor") : d.rescaleFactor,
                bool(root, "do_normalize", d.normalize),
                root.hasNonNull("image_mean") ? vector(root.get("image_mean"), "image_mean") : d.mean,
                root.hasNonNull("image_std") ? vector(root.get("image_std"), "image_std") : d.std);
    }

    private static boolean isVitFlavour(JsonNode root) {
        String type = root.path("image_processor_type").asText(root.path("feature_extractor_type").asText(""));
        String t = type.toLowerCase(Locale.ROOT);
        return t.startsWith("vit") || t.startsWith("deit") || t.startsWith("beit");
    }

    private static Size size(JsonNode node, boolean square) {
        if (node.isIntegralNumber()) {
            int n = node.intValue();
            return square ? new Size.Exact(n, n) : new Size.ShortestEdge(n, 0);
        }
        if (node.isObject()) {
            if (node.has("shortest_edge")) {
                return new Size.ShortestEdge(node.get("shortest_edge").asInt(), node.path("longest_edge").asInt(0));
            }
            if (node.has("height") && node.has("width")) {
                return new Size.Exact(node.get("height").asInt(), node.get("width").asInt());
            }
        }
        throw new AtelierException("preprocessor_config.json: size " + node
                + " is none of an integer, {\"shortest_edge\": N} or {\"height\": H, \"width\": W}");
    }

    private static boolean bool(JsonNode root, String key, boolean fallback) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return fallback;
        if (!n.isBoolean()) throw new AtelierException("preprocessor_config.json: " + key + " must be true or false, got " + n);
        return n.booleanValue();
    }

    private static int integer(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (!n.isIntegralNumber()) throw new AtelierException("preprocessor_config.json: " + key + " must be an integer, got " + n);
        return n.intValue();
    }

    private static double number(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (!n.isNumber()) throw new AtelierException("preprocessor_config.json: " + key + " must be a number, got " + n);
        return n.doubleValue();
    }

    private static double[] vector(JsonNode node, String key) {
        if (node.isNumber()) return new double[] {node.doubleValue(), node.doubleValue(), node.doubleValue()};
        if (!node.isArray()) throw new AtelierException("preprocessor_config.json: " + key + " must be a list of 3 numbers, got " + node);
        double[] v = new double[node.size()];
        for (int i = 0; i < v.length; i++) {
            if (!node.get(i).isNumber()) throw new AtelierException("preprocessor_config.json: " + key + " must be a list of 3 numbers, got " + node);
            v[i] = node.get(i).doubleValue();
        }
        return v;
    }

    private static double[] channels(double[] v, String key) {
        if (v == null) throw new IllegalArgumentException(key + " is required");
        if (v.length == 1) return new double[] {v[0], v[0], v[0]};
        if (v.length != 3) throw new AtelierException("preprocessor_config.json: " + key + " must have 3 values (RGB), got " + v.length);
        return v.clone();
    }

    /** Height and width the picture has after resizing, before cropping. */
    public int[] resizedSize(int height, int width) {
        if (!resize) return new int[] {height, width};
        return switch (size) {
            case Size.Exact e -> new int[] {e.height(), e.width()};
            case Size.ShortestEdge s -> {
                boolean portrait = width <= height;
                int shortSide = portrait ? width : height;
                int longSide = portrait ? height : width;
                int newShort = s.edge();
                int newLong = (int) ((long) newShort * longSide / shortSide);
                if (s.longestEdge() > 0 && newLong > s.longestEdge()) {
                    newShort = (int) ((long) s.longestEdge() * newShort / newLong);
                    newLong = s.longestEdge();
                }
                yield portrait ? new int[] {newLong, newShort} : new int[] {newShort, newLong};
            }
        };
    }

    /** Height and width of the pixel values for a picture of this size. */
    public int[] outputSize(int height, int width) {
        if (centerCrop) return new int[] {cropHeight, cropWidth};
        return resizedSize(height, width);
    }

    /** One picture as a [1, 3, H, W] float tensor. */
    public Tensor.Floats pixelValues(BufferedImage image) {
        return pixelValues(List.of(image));
    }

    /** Pictures as one [N, 3, H, W] batch; they must come out the same size (always so with a centre crop). */
    public Tensor.Floats pixelValues(List<BufferedImage> images) {
        if (images.isEmpty()) throw new IllegalArgumentException("no images");
        float[][] each = new float[images.size()][];
        int[] first = null;
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            int[] out = outputSize(img.getHeight(), img.getWidth());
            if (first == null) {
                first = out;
            } else if (!Arrays.equals(first, out)) {
                throw new AtelierException("pictures of a batch come out " + first[0] + "x" + first[1] + " and "
                        + out[0] + "x" + out[1] + "; without a centre crop, embed pictures of different shapes one by one");
            }
            each[i] = process(img);
        }
        int plane = 3 * first[0] * first[1];
        float[] data = new float[images.size() * plane];
        for (int i = 0; i < each.length; i++) System.arraycopy(each[i], 0, data, i * plane, plane);
        return Tensor.of(data, images.size(), 3, first[0], first[1]);
    }

    private float[] process(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (w <= 0 || h <= 0) throw new AtelierException("the picture is empty (" + w + "x" + h + ")");
        int[] target = resizedSize(h, w);
        // Channel planes of 0…255 values, already resized and rounded like Pillow's 8-bit output.
        float[][] planes = Resize.resize(image, convertRgb, target[0], target[1], resample);
        int rh = target[0];
        int rw = target[1];
        int oh = centerCrop ? cropHeight : rh;
        int ow = centerCrop ? cropWidth : rw;
        // transformers' center_crop: top-left at floor((orig − crop) / 2); a smaller picture is zero-padded,
        // centred with the extra pixel (odd padding) going before it.
        // transformers' center_crop: the crop's origin is floor((resized − crop) / 2) on each axis; where the
        // picture is smaller it is zero-padded, the odd pixel of padding going before it.
        int top = centerCrop ? Math.floorDiv(rh - oh, 2) : 0;
        int left = centerCrop ? Math.floorDiv(rw - ow, 2) : 0;
        float[] out = new float[3 * oh * ow];
        for (int c = 0; c < 3; c++) {
            double scale = rescale ? rescaleFactor : 1.0;
            double m = normalize ? mean[c] : 0.0;
            double s = normalize ? std[c] : 1.0;
            float[] src = planes[c];
            int base = c * oh * ow;
            for (int y = 0; y < oh; y++) {
                int sy = y + top;
                for (int x = 0; x < ow; x++) {
                    int sx = x + left;
                    double v = (sy >= 0 && sy < rh && sx >= 0 && sx < rw) ? src[sy * rw + sx] : 0.0;
                    out[base + y * ow + x] = (float) ((v * scale - m) / s);
                }
            }
        }
        return out;
    }
}
