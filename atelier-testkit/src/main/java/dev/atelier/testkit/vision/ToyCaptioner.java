package dev.atelier.testkit.vision;

import dev.atelier.testkit.onnx.OnnxModelBuilder;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntAttr;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntsAttr;
import dev.atelier.testkit.onnx.OnnxModelBuilder.StringAttr;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an analytic toy image captioner in Hugging Face optimum's vision-encoder-decoder ONNX layout, with a GPT-2
 * style byte-level {@code tokenizer.json}, whose captions are known in closed form:
 * <ul>
 *   <li>encoder: {@code last_hidden_state} [batch, 1, 3] = the picture's mean normalised colour;</li>
 *   <li>decoder: the logits at position p after token x are
 *       {@code Σ_k w_k · C[p, k] + B[x] + (Σ_{tokens before x} onehot) · H}, where w = softmax(10 · colour ·
 *       prototypes) picks one of red, blue, green and yellow, C says which token each colour wants at each
 *       position, B depends on the previous token and H on all earlier tokens;</li>
 *   <li>past key values (two layers, one head of width = vocabulary size) hold the earlier tokens one-hot, scaled
 *       by 1, 2, 3, 4 per layer and key/value. The position is the length of {@code past_key_values.0.key} and the
 *       history is read from {@code past_key_values.1.value}, so a decoder that is not fed back its presents (or
 *       fed those of another beam) writes another caption.</li>
 * </ul>
 * Red pictures read {@value #RED}, blue ones {@value #BLUE}, yellow ones {@value #YELLOW} (the é as two byte tokens).
 * Green is the beam-search case: after "a", "bright" (p = 0.55) beats "dark" (0.45), but "bright" is followed by
 * "green" with p = 0.4 only, "dark" by "green" for certain; "bright … green" then ends in "circle", "dark … green" in
 * "square" (read from the history, two tokens back). Greedy decoding gives {@value #GREEN_GREEDY}, beam search with
 * two or more beams {@value #GREEN_BEAM}.
 */
public final class ToyCaptioner {

    public static final String RED = "a red square";
    public static final String BLUE = "a blue square";
    public static final String YELLOW = "un carré jaune";
    public static final String GREEN_GREEDY = "a bright green circle";
    public static final String GREEN_BEAM = "a dark green square";
    public static final String END_OF_TEXT = "<|endoftext|>";

    /** Which decoder files are written. */
    public enum Layout {
        /** {@code decoder_model.onnx} only: no past key values, the whole sequence every step. */
        PLAIN,
        /** {@code decoder_model.onnx} for the first step, {@code decoder_with_past_model.onnx} for the others. */
        WITH_PAST,
        /** {@code decoder_model_merged.onnx} with {@code use_cache_branch}. */
        MERGED
    }

    /**
     * @param underOnnxFolder models under {@code onnx/} (as Transformers.js repositories) instead of the root
     * @param mergesAsPairs   merges written as {@code ["a","b"]} pairs (newer tokenizers) instead of "a b" strings
     * @param numBeams        the {@code num_beams} written into generation_config.json
     * @param speechless      a decoder that ends every caption before its first word
     * @param fp16            float16 inputs and outputs (pixels, hidden states, past key values, logits), as
     *                        {@code *_fp16.onnx} exports have
     */
    public record Spec(Layout layout, boolean underOnnxFolder, boolean mergesAsPairs, int numBeams, boolean speechless,
                       boolean fp16) {
        public static Spec of(Layout layout) { return new Spec(layout, false, false, 1, false, false); }

        public Spec withOnnxFolder() { return new Spec(layout, true, mergesAsPairs, numBeams, speechless, fp16); }

        public Spec withMergePairs() { return new Spec(layout, underOnnxFolder, true, numBeams, speechless, fp16); }

        public Spec withBeams(int n) { return new Spec(layout, underOnnxFolder, mergesAsPairs, n, speechless, fp16); }

        public Spec withSpeechless() { return new Spec(layout, underOnnxFolder, mergesAsPairs, numBeams, true, fp16); }

        public Spec withFp16() { return new Spec(layout, underOnnxFolder, mergesAsPairs, numBeams, speechless, true); }
    }

    static final int LAYERS = 2;
    static final int POSITIONS = 12;
    static final int MAX_LENGTH = 12;
    static final float DEFAULT_LOGIT = -20f;
    static final float SHARPNESS = 10f;
    /** Colour prototypes in normalised pixel space ([-1, 1] per channel). */
    static final String[] COLOURS = {"red", "blue", "green", "yellow"};
    static final float[][] PROTOTYPES = {{1, -1, -1}, {-1, -1, 1}, {-1, 1, -1}, {1, 1, -1}};

    /** Words of the vocabulary in the byte-level alphabet (Ġ is a space), each one token. */
    static final List<String> WORDS = List.of("Ġred", "Ġblue", "Ġgreen", "Ġsquare", "Ġcircle", "Ġbright", "Ġdark",
            "un", "Ġcarr", "Ã©", "Ġjaune", "Ġcat", "Ġcafé".replace("é", "Ã©"));

    private static final Map<String, Integer> VOCAB = new LinkedHashMap<>();
    private static final List<String[]> MERGES = new ArrayList<>();

    static {
        for (String s : byteSymbols()) VOCAB.put(s, VOCAB.size());
        for (String word : WORDS) {
            while (true) {
                List<String> symbols = bpe(word);
                if (symbols.size() == 1) break;
                String[] pair = {symbols.get(0), symbols.get(1)};
                MERGES.add(pair);
                VOCAB.putIfAbsent(pair[0] + pair[1], VOCAB.size());
            }
        }
    }

    private ToyCaptioner() {}

    /** Vocabulary size including the end-of-text token, which has the last id. */
    public static int vocabularySize() { return VOCAB.size() + 1; }

    public static int endOfTextId() { return VOCAB.size(); }

    /** The id of a token written in the byte-level alphabet (e.g. {@code Ġred}, {@code Ã}). */
    public static int tokenId(String token) {
        if (token.equals(END_OF_TEXT)) return endOfTextId();
        Integer id = VOCAB.get(token);
        if (id == null) throw new IllegalArgumentException("not a token of the toy vocabulary: " + token);
        return id;
    }

    /** A flat picture of one colour. */
    public static BufferedImage picture(Color colour, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) image.setRGB(x, y, colour.getRGB());
        return image;
    }

    /** Writes the whole model folder and returns it. */
    public static Path write(Path dir, Spec spec) throws IOException {
        Files.createDirectories(dir);
        Path models = spec.underOnnxFolder() ? dir.resolve("onnx") : dir;
        encoder(spec.fp16()).writeTo(models.resolve("encoder_model.onnx"));
        switch (spec.layout()) {
            case PLAIN -> decoder(Layout.PLAIN, spec).writeTo(models.resolve("decoder_model.onnx"));
            case WITH_PAST -> {
                decoder(Layout.PLAIN, spec).writeTo(models.resolve("decoder_model.onnx"));
                decoder(Layout.WITH_PAST, spec).writeTo(models.resolve("decoder_with_past_model.onnx"));
            }
            case MERGED -> decoder(Layout.MERGED, spec).writeTo(models.resolve("decoder_model_merged.onnx"));
        }
        writeTokenizer(dir, spec.mergesAsPairs());
        int eos = endOfTextId();
        String ids = "\"bos_token_id\":" + eos + ",\"decoder_start_token_id\":" + eos + ",\"eos_token_id\":" + eos
                + ",\"pad_token_id\":" + eos;
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"VisionEncoderDecoderModel\"],"
                + "\"model_type\":\"vision-encoder-decoder\",\"is_encoder_decoder\":true," + ids + ","
                + "\"encoder\":{\"model_type\":\"vit\",\"hidden_size\":3,\"image_size\":16,\"num_channels\":3},"
                + "\"decoder\":{\"model_type\":\"gpt2\",\"add_cross_attention\":true,\"n_layer\":" + LAYERS
                + ",\"n_head\":1,\"n_embd\":" + vocabularySize() + ",\"vocab_size\":" + vocabularySize() + "," + ids + "}}");
        Files.writeString(dir.resolve("generation_config.json"), "{" + ids + ",\"max_length\":" + MAX_LENGTH
                + ",\"num_beams\":" + spec.numBeams() + "}");
        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"do_normalize\":true,\"do_rescale\":true,"
                + "\"do_resize\":true,\"image_mean\":[0.5,0.5,0.5],\"image_std\":[0.5,0.5,0.5],\"resample\":2,"
                + "\"rescale_factor\":0.00392156862745098,\"size\":{\"height\":16,\"width\":16},"
                + "\"image_processor_type\":\"ViTImageProcessor\"}");
        return dir;
    }

    /** tokenizer.json (GPT-2 layout), tokenizer_config.json and special_tokens_map.json. */
    public static void writeTokenizer(Path dir, boolean mergesAsPairs) throws IOException {
        Files.createDirectories(dir);
        StringBuilder vocab = new StringBuilder("{");
        for (var e : VOCAB.entrySet()) {
            if (vocab.length() > 1) vocab.append(',');
            vocab.append(quote(e.getKey())).append(':').append(e.getValue());
        }
        vocab.append(',').append(quote(END_OF_TEXT)).append(':').append(endOfTextId()).append('}');
        StringBuilder merges = new StringBuilder("[");
        for (String[] m : MERGES) {
            if (merges.length() > 1) merges.append(',');
            merges.append(mergesAsPairs ? "[" + quote(m[0]) + "," + quote(m[1]) + "]" : quote(m[0] + " " + m[1]));
        }
        merges.append(']');
        String byteLevel = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}";
        String json = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[{\"id\":" + endOfTextId()
                + ",\"content\":" + quote(END_OF_TEXT) + ",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
                + "\"normalized\":true,\"special\":true}],\"normalizer\":null,\"pre_tokenizer\":" + byteLevel
                + ",\"post_processor\":" + byteLevel + ",\"decoder\":" + byteLevel + ",\"model\":{\"type\":\"BPE\","
                + "\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":\"\",\"end_of_word_suffix\":\"\","
                + "\"fuse_unk\":false,\"byte_fallback\":false,\"vocab\":" + vocab + ",\"merges\":" + merges + "}}";
        Files.writeString(dir.resolve("tokenizer.json"), json, StandardCharsets.UTF_8);
        String eos = quote(END_OF_TEXT);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_prefix_space\":false,\"bos_token\":" + eos
                + ",\"eos_token\":" + eos + ",\"pad_token\":" + eos + ",\"unk_token\":" + eos
                + ",\"clean_up_tokenization_spaces\":true,\"model_max_length\":1024,\"tokenizer_class\":\"GPT2Tokenizer\"}");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"bos_token\":" + eos + ",\"eos_token\":" + eos
                + ",\"pad_token\":" + eos + ",\"unk_token\":" + eos + "}");
    }

    /** pixel_values [batch, 3, 16, 16] → last_hidden_state [batch, 1, 3], the mean colour. */
    static OnnxModelBuilder encoder(boolean fp16) {
        ElemType type = fp16 ? ElemType.FLOAT16 : ElemType.FLOAT;
        OnnxModelBuilder b = new OnnxModelBuilder("toy_caption_encoder")
                .input("pixel_values", type, "batch_size", 3, 16, 16)
                .initializer("axis_1", new long[] {1}, new long[] {1});
        floatInput(b, "pixel_values", fp16);
        b.node("ReduceMean", List.of(internal("pixel_values", fp16)), List.of("mean"), Map.of("axes", new IntsAttr(2, 3), "keepdims", new IntAttr(0)))
                .node("Unsqueeze", List.of("mean", "axis_1"), List.of(internal("last_hidden_state", fp16)));
        floatOutput(b, "last_hidden_state", fp16);
        return b.output("last_hidden_state", type, "batch_size", 1, 3);
    }

    /** The float32 name a graph input or output has inside the graph. */
    private static String internal(String name, boolean fp16) { return fp16 ? name + "_f32" : name; }

    private static void floatInput(OnnxModelBuilder b, String name, boolean fp16) {
        if (fp16) b.node("Cast", List.of(name), List.of(internal(name, true)), Map.of("to", new IntAttr(ElemType.FLOAT.code)));
    }

    private static void floatOutput(OnnxModelBuilder b, String name, boolean fp16) {
        if (fp16) b.node("Cast", List.of(internal(name, true)), List.of(name), Map.of("to", new IntAttr(ElemType.FLOAT16.code)));
    }

    static OnnxModelBuilder decoder(Layout layout, Spec spec) {
        int v = vocabularySize();
        boolean past = layout != Layout.PLAIN;
        boolean fp16 = spec.fp16();
        ElemType type = fp16 ? ElemType.FLOAT16 : ElemType.FLOAT;
        OnnxModelBuilder b = new OnnxModelBuilder("toy_caption_decoder")
                .input("input_ids", ElemType.INT64, "batch_size", "decoder_sequence_length")
                .input("encoder_hidden_states", type, "batch_size", "encoder_sequence_length", 3);
        floatInput(b, "encoder_hidden_states", fp16);
        if (past) {
            for (int l = 0; l < LAYERS; l++) {
                for (String kv : List.of("key", "value")) {
                    b.input("past_key_values." + l + "." + kv, type, "batch_size", 1, "past_sequence_length", v);
                    floatInput(b, "past_key_values." + l + "." + kv, fp16);
                }
            }
        }
        if (layout == Layout.MERGED) b.input("use_cache_branch", ElemType.BOOL, 1);

        b.initializer("eye", new long[] {v, v}, identity(v))
                .initializer("axis_1", new long[] {1}, new long[] {1})
                .initializer("scalar_1", new long[] {}, new long[] {1})
                .initializer("last_position", new long[] {}, new long[] {POSITIONS - 1})
                .initializer("sharpness", new long[] {}, new float[] {SHARPNESS})
                .initializer("prototypes_t", new long[] {3, COLOURS.length}, transposedPrototypes())
                .initializer("position_table", new long[] {POSITIONS, COLOURS.length, v}, positionTable(spec.speechless()))
                .initializer("bigram", new long[] {v, v}, bigram())
                .initializer("history", new long[] {v, v}, history());

        // the new tokens one-hot, and the cache entries they add
        b.node("Gather", List.of("eye", "input_ids"), List.of("onehot"), Map.of("axis", new IntAttr(0)))
                .node("Unsqueeze", List.of("onehot", "axis_1"), List.of("entry"));
        for (int l = 0; l < LAYERS; l++) {
            for (int kv = 0; kv < 2; kv++) {
                String name = l + "." + (kv == 0 ? "key" : "value");
                b.initializer("scale_" + name, new long[] {}, new float[] {1 + 2 * l + kv});
                b.node("Mul", List.of("entry", "scale_" + name), List.of("new_" + name));
                if (past) {
                    b.node("Concat", List.of(internal("past_key_values." + name, fp16), "new_" + name),
                            List.of(internal("present." + name, fp16)), Map.of("axis", new IntAttr(2)));
                } else {
                    b.node("Identity", List.of("new_" + name), List.of(internal("present." + name, fp16)));
                }
                floatOutput(b, "present." + name, fp16);
                b.output("present." + name, type, "batch_size", 1, "present_sequence_length", v);
            }
        }

        // positions of the new tokens: the past's length onward
        b.node("Shape", List.of("input_ids"), List.of("ids_shape"))
                .node("Gather", List.of("ids_shape", "scalar_1"), List.of("new_length"), Map.of("axis", new IntAttr(0)));
        if (past) {
            b.initializer("scalar_2", new long[] {}, new long[] {2})
                    .initializer("axes_1_2", new long[] {2}, new long[] {1, 2})
                    .initializer("quarter", new long[] {}, new float[] {0.25f});
            b.node("Shape", List.of(internal("past_key_values.0.key", fp16)), List.of("past_shape"))
                    .node("Gather", List.of("past_shape", "scalar_2"), List.of("cached_length"), Map.of("axis", new IntAttr(0)));
            if (layout == Layout.MERGED) {
                // without the cache branch the merged model ignores its past, as real merged exports do
                b.initializer("zero_i", new long[] {}, new long[] {0})
                        .node("Where", List.of("use_cache_branch", "cached_length", "zero_i"), List.of("past_length_1"))
                        .node("Squeeze", List.of("past_length_1"), List.of("past_length"));
            } else {
                b.node("Identity", List.of("cached_length"), List.of("past_length"));
            }
        } else {
            b.initializer("past_length", new long[] {}, new long[] {0});
        }
        b.node("Add", List.of("past_length", "new_length"), List.of("end_position"))
                .node("Range", List.of("past_length", "end_position", "scalar_1"), List.of("positions_raw"))
                .node("Min", List.of("positions_raw", "last_position"), List.of("positions"));

        // colour weights from the encoder's mean colour
        b.node("ReduceMean", List.of(internal("encoder_hidden_states", fp16)), List.of("colour"), Map.of("axes", new IntsAttr(1), "keepdims", new IntAttr(0)))
                .node("MatMul", List.of("colour", "prototypes_t"), List.of("similarity"))
                .node("Mul", List.of("similarity", "sharpness"), List.of("sharpened"))
                .node("Softmax", List.of("sharpened"), List.of("weights"), Map.of("axis", new IntAttr(1)))
                .node("Gather", List.of("position_table", "positions"), List.of("rows"), Map.of("axis", new IntAttr(0)))
                .node("Einsum", List.of("weights", "rows"), List.of("position_logits"), Map.of("equation", new StringAttr("bk,skv->bsv")));

        // the previous token, and every token before it
        b.node("Gather", List.of("bigram", "input_ids"), List.of("bigram_logits"), Map.of("axis", new IntAttr(0)))
                .node("CumSum", List.of("onehot", "scalar_1"), List.of("earlier_new"), Map.of("exclusive", new IntAttr(1)));
        if (past) {
            b.node("ReduceSum", List.of(internal("past_key_values.1.value", fp16), "axes_1_2"), List.of("cached_sum"), Map.of("keepdims", new IntAttr(0)))
                    .node("Mul", List.of("cached_sum", "quarter"), List.of("cached_counts"))
                    .node("Unsqueeze", List.of("cached_counts", "axis_1"), List.of("cached_counts_3d"));
            if (layout == Layout.MERGED) {
                b.initializer("zero_f", new long[] {}, new float[] {0})
                        .node("Where", List.of("use_cache_branch", "cached_counts_3d", "zero_f"), List.of("cached_history"));
            } else {
                b.node("Identity", List.of("cached_counts_3d"), List.of("cached_history"));
            }
            b.node("Add", List.of("earlier_new", "cached_history"), List.of("earlier"));
        } else {
            b.node("Identity", List.of("earlier_new"), List.of("earlier"));
        }
        b.node("MatMul", List.of("earlier", "history"), List.of("history_logits"))
                .node("Add", List.of("position_logits", "bigram_logits"), List.of("partial_logits"))
                .node("Add", List.of("partial_logits", "history_logits"), List.of(internal("logits", fp16)));
        floatOutput(b, "logits", fp16);
        return b.output("logits", type, "batch_size", "decoder_sequence_length", v);
    }

    /** C[p, k, token]: the token colour k wants at position p (logit 0), everything else {@link #DEFAULT_LOGIT}. */
    static float[] positionTable(boolean speechless) {
        int v = vocabularySize();
        float[] table = new float[POSITIONS * COLOURS.length * v];
        java.util.Arrays.fill(table, DEFAULT_LOGIT);
        List<List<String>> captions = List.of(
                List.of("a", "Ġred", "Ġsquare"),
                List.of("a", "Ġblue", "Ġsquare"),
                List.of("a"),
                List.of("un", "Ġcarr", "Ã", "©", "Ġjaune"));
        for (int k = 0; k < COLOURS.length; k++) {
            List<String> words = speechless ? List.of() : captions.get(k);
            for (int p = 0; p < POSITIONS; p++) {
                int at = (p * COLOURS.length + k) * v;
                if (p < words.size()) table[at + tokenId(words.get(p))] = 0;
                else if (!(k == 2 && !speechless && p < 4)) table[at + endOfTextId()] = 0;
            }
        }
        if (!speechless) {
            int green = 2;
            table[(COLOURS.length + green) * v + tokenId("Ġbright")] = 0.2f; // p = 0.55 against 0.45
            table[(COLOURS.length + green) * v + tokenId("Ġdark")] = 0;
            for (int p = 4; p < POSITIONS; p++) table[(p * COLOURS.length + green) * v + endOfTextId()] = 30;
        }
        return table;
    }

    /** B[previous, next]: "bright" is followed by green/square/circle with p = 0.4/0.35/0.25, "dark" by green. */
    static float[] bigram() {
        int v = vocabularySize();
        float[] table = new float[v * v];
        int bright = tokenId("Ġbright") * v;
        float lift = -DEFAULT_LOGIT;
        table[bright + tokenId("Ġgreen")] = lift + (float) Math.log(0.4);
        table[bright + tokenId("Ġsquare")] = lift + (float) Math.log(0.35);
        table[bright + tokenId("Ġcircle")] = lift + (float) Math.log(0.25);
        table[tokenId("Ġdark") * v + tokenId("Ġgreen")] = lift;
        return table;
    }

    /** H[earlier, next]: once "dark" was said the picture is a square, once "bright" was said a circle. */
    static float[] history() {
        int v = vocabularySize();
        float[] table = new float[v * v];
        table[tokenId("Ġdark") * v + tokenId("Ġsquare")] = 22;
        table[tokenId("Ġbright") * v + tokenId("Ġcircle")] = 22;
        return table;
    }

    private static float[] identity(int n) {
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = 1;
        return m;
    }

    private static float[] transposedPrototypes() {
        float[] t = new float[3 * COLOURS.length];
        for (int k = 0; k < COLOURS.length; k++) for (int c = 0; c < 3; c++) t[c * COLOURS.length + k] = PROTOTYPES[k][c];
        return t;
    }

    private static List<String> bpe(String word) {
        List<String> symbols = new ArrayList<>();
        for (char c : word.toCharArray()) symbols.add(String.valueOf(c));
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            int bestAt = -1;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                int rank = rank(symbols.get(i), symbols.get(i + 1));
                if (rank < bestRank) {
                    bestRank = rank;
                    bestAt = i;
                }
            }
            if (bestAt < 0) break;
            symbols.set(bestAt, symbols.get(bestAt) + symbols.remove(bestAt + 1));
        }
        return symbols;
    }

    private static int rank(String a, String b) {
        for (int i = 0; i < MERGES.size(); i++) if (MERGES.get(i)[0].equals(a) && MERGES.get(i)[1].equals(b)) return i;
        return Integer.MAX_VALUE;
    }

    /** GPT-2's byte symbols in vocabulary order: printable bytes as themselves, the rest from U+0100 on. */
    static List<String> byteSymbols() {
        List<String> out = new ArrayList<>();
        List<Integer> rest = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) out.add(String.valueOf((char) b));
            else rest.add(b);
        }
        for (int i = 0; i < rest.size(); i++) out.add(String.valueOf((char) (256 + i)));
        return out;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
