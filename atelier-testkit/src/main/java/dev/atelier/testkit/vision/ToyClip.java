package dev.atelier.testkit.vision;

import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyVocabulary;
import dev.atelier.testkit.onnx.OnnxModelBuilder;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntAttr;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntsAttr;
import dev.atelier.testkit.onnx.OnnxModelBuilder.StringAttr;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an analytic toy CLIP export in the Hugging Face layouts, whose embeddings are known in closed form
 * ({@value #DIMENSION} dimensions, not normalised by the graph):
 * <ul>
 *   <li>text embedding = Σ over tokens of a lookup table in which each colour word of
 *       {@link ToyPipeline#COLOURS} carries its {@code [r, g, b, w4]} and every other token is zero (with an
 *       {@code attention_mask} input, the padding token carries a junk vector that only the mask removes);</li>
 *   <li>image embedding = {@code [2·r̄ − 1, 2·ḡ − 1, 2·b̄ − 1, }{@value #IMAGE_BIAS}{@code ]}, where r̄, ḡ, b̄ are the
 *       picture's mean colour in [0, 1], recovered inside the graph by undoing the declared mean/std normalisation
 *       of {@code pixel_values}.</li>
 * </ul>
 * So a picture a {@link ToyPipeline} renders for one colour word has (up to 8-bit rounding) the same embedding
 * direction as that word. {@link #textVector} and {@link #imageVector} give the expected embeddings.
 */
public final class ToyClip {

    /** Single {@code model.onnx} (CLIPModel), or {@code text_model.onnx} + {@code vision_model.onnx}. */
    public enum Layout { SINGLE, SPLIT }

    public static final int DIMENSION = 4;
    /** The image embedding's constant fourth component. */
    public static final float IMAGE_BIAS = 0.1f;
    public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    /** The padding token's vector in exports with an attention mask: wrong results unless the mask removes it. */
    static final float[] PAD_JUNK = {5f, -7f, 3f, 11f};

    /**
     * What to write.
     *
     * @param layout             single or split files
     * @param underOnnxDir       ONNX files under {@code onnx/} rather than at the root
     * @param idType             INT32 or INT64 for {@code input_ids} (and {@code attention_mask})
     * @param attentionMask      whether the text model takes {@code attention_mask}
     * @param tokenizerSubfolder tokenizer files under {@code tokenizer/} rather than at the root
     * @param preprocessorConfig whether to write {@code preprocessor_config.json} (else the reader must assume CLIP's defaults)
     * @param imageSize          shortest edge and crop size written to the preprocessor config
     * @param mean               normalisation mean the image graph undoes (and the config declares)
     * @param std                normalisation std the image graph undoes (and the config declares)
     * @param projected          outputs {@code text_embeds}/{@code image_embeds}; false writes a split export
     *                           with only {@code last_hidden_state}/{@code pooler_output} (CLIPTextModel without projection)
     * @param fixedPixels        declares {@code pixel_values} as [batch, 3, imageSize, imageSize] rather than any size
     */
    public record Spec(Layout layout, boolean underOnnxDir, ElemType idType, boolean attentionMask,
                       boolean tokenizerSubfolder, boolean preprocessorConfig, int imageSize, double[] mean,
                       double[] std, boolean projected, boolean fixedPixels) {

        /** The layout with defaults: files at the root, int64 ids, mask for SINGLE only, CLIP's preprocessing implied. */
        public static Spec of(Layout layout) {
            return new Spec(layout, false, ElemType.INT64, layout == Layout.SINGLE, false, false, 224, CLIP_MEAN,
                    CLIP_STD, true, false);
        }

        public Spec inOnnxDir() { return new Spec(layout, true, idType, attentionMask, tokenizerSubfolder, preprocessorConfig, imageSize, mean, std, projected, fixedPixels); }
        public Spec withIds(ElemType t) { return new Spec(layout, underOnnxDir, t, attentionMask, tokenizerSubfolder, preprocessorConfig, imageSize, mean, std, projected, fixedPixels); }
        public Spec withAttentionMask(boolean on) { return new Spec(layout, underOnnxDir, idType, on, tokenizerSubfolder, preprocessorConfig, imageSize, mean, std, projected, fixedPixels); }
        public Spec withTokenizerSubfolder() { return new Spec(layout, underOnnxDir, idType, attentionMask, true, preprocessorConfig, imageSize, mean, std, projected, fixedPixels); }
        public Spec withoutProjection() { return new Spec(layout, underOnnxDir, idType, attentionMask, tokenizerSubfolder, preprocessorConfig, imageSize, mean, std, false, fixedPixels); }

        /** Writes a preprocessor_config.json: shortest edge and crop {@code size}, this mean and std. */
        public Spec withPreprocessor(int size, double[] mean, double[] std) {
            return new Spec(layout, underOnnxDir, idType, attentionMask, tokenizerSubfolder, true, size, mean, std, projected, fixedPixels);
        }

        /** Declares pixel_values with fixed height and width {@code imageSize}, as static-shape exports do. */
        public Spec withFixedPixels() { return new Spec(layout, underOnnxDir, idType, attentionMask, tokenizerSubfolder, preprocessorConfig, imageSize, mean, std, projected, true); }

        String padToken() { return attentionMask ? "!" : ToyVocabulary.EOS; }
    }

    private ToyClip() {}

    /** Writes the toy with {@link Spec#of}'s defaults into {@code dir} and returns {@code dir}. */
    public static Path write(Path dir, Layout layout) {
        return write(dir, Spec.of(layout));
    }

    /** Writes the toy export into {@code dir} and returns {@code dir}. */
    public static Path write(Path dir, Spec spec) {
        try {
            Files.createDirectories(dir);
            ToyVocabulary vocab = ToyPipeline.vocabulary();
            vocab.writeTo(spec.tokenizerSubfolder() ? dir.resolve("tokenizer") : dir, spec.padToken());
            Path onnxDir = spec.underOnnxDir() ? dir.resolve("onnx") : dir;
            if (spec.layout() == Layout.SINGLE) {
                OnnxModelBuilder b = new OnnxModelBuilder("toy_clip");
                textGraph(b, spec, vocab, true);
                imageGraph(b, spec, true);
                logits(b);
                b.writeTo(onnxDir.resolve("model.onnx"));
            } else {
                OnnxModelBuilder text = new OnnxModelBuilder("toy_clip_text");
                textGraph(text, spec, vocab, false);
                text.writeTo(onnxDir.resolve("text_model.onnx"));
                OnnxModelBuilder vision = new OnnxModelBuilder("toy_clip_vision");
                imageGraph(vision, spec, false);
                vision.writeTo(onnxDir.resolve("vision_model.onnx"));
            }
            Files.writeString(dir.resolve("config.json"), "{\"_name_or_path\":\"atelier/toy-clip\",\"model_type\":\"clip\","
                    + "\"projection_dim\":" + DIMENSION + "}");
            if (spec.preprocessorConfig()) {
                Files.writeString(dir.resolve("preprocessor_config.json"), preprocessorConfig(spec));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The unnormalised text embedding of a prompt holding these colour words (other words add nothing). */
    public static float[] textVector(String... colourWords) {
        float[] v = new float[DIMENSION];
        for (String w : colourWords) {
            float[] c = ToyPipeline.COLOURS.get(w.toLowerCase(Locale.ROOT));
            if (c == null) throw new IllegalArgumentException("not a colour word of the toy: " + w);
            for (int i = 0; i < DIMENSION; i++) v[i] += c[i];
        }
        return v;
    }

    /** The unnormalised image embedding of a picture whose mean colour is {@code rgb} (0…255 per channel). */
    public static float[] imageVector(double r, double g, double b) {
        return new float[] {(float) (2 * r / 255 - 1), (float) (2 * g / 255 - 1), (float) (2 * b / 255 - 1), IMAGE_BIAS};
    }

    /** The unnormalised image embedding of a flat picture of colour {@code c}. */
    public static float[] imageVector(Color c) {
        return imageVector(c.getRed(), c.getGreen(), c.getBlue());
    }

    /** Cosine similarity of two unnormalised vectors, the value the model's normalised embeddings must give. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** Expected similarity of a prompt's colour words and a flat picture of colour {@code c}. */
    public static double similarity(Color c, String... colourWords) {
        return cosine(textVector(colourWords), imageVector(c));
    }

    /** The flat colour whose embedding points exactly along a colour word's [r, g, b] part (its ToyPipeline picture). */
    public static Color colourOf(String word) {
        float[] c = ToyPipeline.COLOURS.get(word);
        if (c == null) throw new IllegalArgumentException("not a colour word of the toy: " + word);
        return new Color(toByte(c[0]), toByte(c[1]), toByte(c[2]));
    }

    private static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
    }

    // ---------------------------------------------------------------- graphs

    private static void textGraph(OnnxModelBuilder b, Spec spec, ToyVocabulary vocab, boolean single) {
        float[] table = new float[vocab.size() * DIMENSION];
        for (var e : ToyPipeline.COLOURS.entrySet()) {
            System.arraycopy(e.getValue(), 0, table, vocab.wordId(e.getKey()) * DIMENSION, DIMENSION);
        }
        if (spec.attentionMask()) {
            int pad = vocab.vocab().get(spec.padToken());
            System.arraycopy(PAD_JUNK, 0, table, pad * DIMENSION, DIMENSION);
        }
        b.input("input_ids", spec.idType(), "text_batch", "sequence");
        if (single) pixelInput(b, spec);
        if (spec.attentionMask()) b.input("attention_mask", spec.idType(), "text_batch", "sequence");
        b.initializer("token_table", new long[] {vocab.size(), DIMENSION}, table);
        b.node("Gather", List.of("token_table", "input_ids"), List.of("token_states"), Map.of("axis", new IntAttr(0)));
        if (spec.attentionMask()) {
            b.node("Cast", List.of("attention_mask"), List.of("mask_f"), Map.of("to", new IntAttr(ElemType.FLOAT.code)));
            b.node("Einsum", List.of("token_states", "mask_f"), List.of("text_sum"), Map.of("equation", new StringAttr("bsd,bs->bd")));
        } else {
            b.initializer("token_axis", new long[] {1}, new long[] {1});
            b.node("ReduceSum", List.of("token_states", "token_axis"), List.of("text_sum"), Map.of("keepdims", new IntAttr(0)));
        }
        if (spec.projected() || single) {
            b.node("Identity", List.of("text_sum"), List.of("text_embeds"));
            b.output("text_embeds", ElemType.FLOAT, "text_batch", DIMENSION);
        } else {
            b.node("Identity", List.of("text_sum"), List.of("pooler_output"));
            b.output("pooler_output", ElemType.FLOAT, "text_batch", DIMENSION);
        }
        if (!single) {
            b.node("Identity", List.of("token_states"), List.of("last_hidden_state"));
            b.output("last_hidden_state", ElemType.FLOAT, "text_batch", "sequence", DIMENSION);
        }
    }

    private static void pixelInput(OnnxModelBuilder b, Spec spec) {
        if (spec.fixedPixels()) b.input("pixel_values", ElemType.FLOAT, "image_batch", 3, spec.imageSize(), spec.imageSize());
        else b.input("pixel_values", ElemType.FLOAT, "image_batch", 3, "height", "width");
    }

    private static void imageGraph(OnnxModelBuilder b, Spec spec, boolean single) {
        if (!single) pixelInput(b, spec);
        // pixel_values = (p − mean)/std with p in [0, 1], so 2p − 1 = pixel_values · 2std + (2mean − 1).
        float[] w = new float[3 * DIMENSION];
        float[] bias = new float[DIMENSION];
        for (int c = 0; c < 3; c++) {
            w[c * DIMENSION + c] = (float) (2 * spec.std()[c]);
            bias[c] = (float) (2 * spec.mean()[c] - 1);
        }
        bias[3] = IMAGE_BIAS;
        b.node("ReduceMean", List.of("pixel_values"), List.of("channel_means"),
                Map.of("axes", new IntsAttr(2, 3), "keepdims", new IntAttr(0)));
        b.initializer("unnormalise", new long[] {3, DIMENSION}, w);
        b.initializer("unnormalise_bias", new long[] {DIMENSION}, bias);
        b.node("MatMul", List.of("channel_means", "unnormalise"), List.of("image_scaled"));
        b.node("Add", List.of("image_scaled", "unnormalise_bias"), List.of("image_vec"));
        if (spec.projected() || single) {
            b.node("Identity", List.of("image_vec"), List.of("image_embeds"));
            b.output("image_embeds", ElemType.FLOAT, "image_batch", DIMENSION);
        } else {
            b.node("Identity", List.of("image_vec"), List.of("pooler_output"));
            b.output("pooler_output", ElemType.FLOAT, "image_batch", DIMENSION);
        }
    }

    /** CLIPModel's logits: 100 · normalised image · normalised textᵀ, and its transpose. */
    private static void logits(OnnxModelBuilder b) {
        b.node("LpNormalization", List.of("text_embeds"), List.of("text_unit"), Map.of("axis", new IntAttr(-1), "p", new IntAttr(2)));
        b.node("LpNormalization", List.of("image_embeds"), List.of("image_unit"), Map.of("axis", new IntAttr(-1), "p", new IntAttr(2)));
        b.node("Transpose", List.of("text_unit"), List.of("text_unit_t"), Map.of("perm", new IntsAttr(1, 0)));
        b.node("MatMul", List.of("image_unit", "text_unit_t"), List.of("cosines"));
        b.initializer("logit_scale", new long[] {}, new float[] {100f});
        b.node("Mul", List.of("cosines", "logit_scale"), List.of("logits_per_image"));
        b.node("Transpose", List.of("logits_per_image"), List.of("logits_per_text"), Map.of("perm", new IntsAttr(1, 0)));
        b.output("logits_per_image", ElemType.FLOAT, "image_batch", "text_batch");
        b.output("logits_per_text", ElemType.FLOAT, "text_batch", "image_batch");
    }

    private static String preprocessorConfig(Spec spec) {
        return "{\"image_processor_type\":\"CLIPImageProcessor\",\"do_convert_rgb\":true,\"do_resize\":true,"
                + "\"size\":{\"shortest_edge\":" + spec.imageSize() + "},\"resample\":3,\"do_center_crop\":true,"
                + "\"crop_size\":{\"height\":" + spec.imageSize() + ",\"width\":" + spec.imageSize() + "},"
                + "\"do_rescale\":true,\"rescale_factor\":0.00392156862745098,\"do_normalize\":true,"
                + "\"image_mean\":" + list(spec.mean()) + ",\"image_std\":" + list(spec.std()) + "}";
    }

    private static String list(double[] v) {
        List<String> parts = new ArrayList<>();
        for (double d : v) parts.add(Double.toString(d));
        return "[" + String.join(",", parts) + "]";
    }
}
