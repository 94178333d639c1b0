package dev.atelier.vision.caption;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.vision.caption.OnnxPart.Port;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder of a vision-encoder-decoder export in any of optimum's layouts. With past key values, every
 * {@code present.X} a run returns is fed back as {@code past_key_values.X} next step (rows following their beams);
 * the merged decoder's first step runs with {@code use_cache_branch} false and empty pasts. Without them the whole
 * sequence is decoded again every step.
 */
final class OnnxDecoder implements AutoCloseable {
    static final String PAST_PREFIX = "past_key_values.";
    static final String PRESENT_PREFIX = "present.";

    private final CaptionerFiles.Kind kind;
    /** Runs the first step (and every step without past). */
    private final OnnxPart first;
    /** Runs the steps after the first; the same part as {@code first} for a merged decoder. */
    private final OnnxPart later;
    /** Attention heads and head width from config.json, for empty pasts a model declares with symbolic sizes. */
    private final long configHeads;
    private final long configHeadWidth;

    OnnxDecoder(CaptionerFiles files, JsonNode config, dev.atelier.diffusion.onnx.SessionSettings settings) {
        this.kind = files.kind();
        OnnxPart a = null;
        OnnxPart b = null;
        try {
            switch (kind) {
                case MERGED -> {
                    a = OnnxPart.open("merged decoder", files.mergedDecoder().orElseThrow(), settings);
                    b = a;
                }
                case SPLIT_WITH_PAST -> {
                    a = OnnxPart.open("decoder", files.decoder().orElseThrow(), settings);
                    b = OnnxPart.open("decoder with past", files.decoderWithPast().orElseThrow(), settings);
                }
                case NO_PAST -> {
                    a = OnnxPart.open("decoder", files.decoder().orElseThrow(), settings);
                    b = a;
                }
            }
            check(a);
            if (b != a) check(b);
            // every past the later steps take must come back from some step: from the first step only for the
            // cross-attention caches, which split with-past exports no longer return
            for (String input : pastNames(b)) {
                String present = PRESENT_PREFIX + input.substring(PAST_PREFIX.length());
                if (!b.outputs().containsKey(present) && !a.outputs().containsKey(present)) {
                    throw b.notACaptioner("takes '" + input + "' but no decoder returns '" + present + "'");
                }
            }
            if (kind == CaptionerFiles.Kind.MERGED && !a.inputs().containsKey("use_cache_branch")) {
                throw a.notACaptioner("has no input 'use_cache_branch'");
            }
        } catch (RuntimeException e) {
            if (a != null) a.close();
            if (b != null && b != a) b.close();
            throw e;
        }
        this.first = a;
        this.later = b;
        JsonNode decoder = config.path("decoder");
        long heads = firstInt(decoder, "n_head", "num_attention_heads", "decoder_attention_heads");
        long kvHeads = firstInt(decoder, "num_key_value_heads");
        long width = firstInt(decoder, "n_embd", "hidden_size", "d_model");
        this.configHeads = kvHeads > 0 ? kvHeads : heads;
        this.configHeadWidth = heads > 0 && width > 0 ? width / heads : -1;
    }

    private static long firstInt(JsonNode node, String... fields) {
        for (String f : fields) if (node.path(f).isNumber()) return node.path(f).asLong();
        return -1;
    }

    private static void check(OnnxPart part) {
        if (!part.inputs().containsKey("input_ids") && !part.inputs().containsKey("decoder_input_ids")) {
            throw part.notACaptioner("has no input 'input_ids'");
        }
        if (!part.outputs().containsKey("logits")) throw part.notACaptioner("has no output 'logits'");
    }

    CaptionerFiles.Kind kind() { return kind; }

    /** A fresh decoding of one picture, given the encoder's hidden states [1, sequence, width]. */
    NextTokenLogits start(Tensor.Floats encoderStates) {
        if (encoderStates.shape().length != 3 || encoderStates.shape()[0] != 1) {
            throw first.notACaptioner("was given encoder states of shape " + Arrays.toString(encoderStates.shape())
                    + " where [1, sequence, width] was expected");
        }
        return new Decoding(encoderStates);
    }

    private final class Decoding implements NextTokenLogits {
        private final Tensor.Floats encoderStates;
        private Tensor.Floats expanded;
        /** Past key values by input name; null before the first step. */
        private Map<String, Tensor.Floats> past;

        Decoding(Tensor.Floats encoderStates) { this.encoderStates = encoderStates; }

        @Override
        public float[][] next(long[][] sequences, int[] parents) {
            int rows = sequences.length;
            int length = sequences[0].length;
            if (expanded == null || expanded.shape()[0] != rows) expanded = repeatRows(encoderStates, rows);
            Map<String, Tensor.Floats> out;
            if (kind == CaptionerFiles.Kind.NO_PAST) {
                out = first.run(feeds(first, sequences, 0, length, null, false));
            } else if (past == null || parents == null) {
                Map<String, Tensor.Floats> empty = kind == CaptionerFiles.Kind.MERGED ? emptyPast(first, rows) : null;
                out = first.run(feeds(first, sequences, 0, length, empty, false));
                past = presents(out, empty);
            } else {
                past = reorder(past, parents);
                int pastLength = length - 1;
                out = later.run(feeds(later, sequences, pastLength, length, past, true));
                past = presents(out, past);
            }
            return lastLogits(out.get("logits"), rows);
        }

        /** Feeds of one step: the tokens from {@code from} on, and whatever else the model declares. */
        private Map<String, Object> feeds(OnnxPart part, long[][] sequences, int from, int length,
                                          Map<String, Tensor.Floats> pastFeeds, boolean useCache) {
            int rows = sequences.length;
            int fresh = length - from;
            long[] ids = new long[rows * fresh];
            for (int r = 0; r < rows; r++) System.arraycopy(sequences[r], from, ids, r * fresh, fresh);
            Map<String, Object> feeds = new HashMap<>();
            for (Port p : part.inputs().values()) {
                String name = p.name();
                switch (name) {
                    case "input_ids", "decoder_input_ids" -> feeds.put(name, Tensor.ofLongs(ids, rows, fresh));
                    case "encoder_hidden_states" -> feeds.put(name, expanded);
                    case "encoder_attention_mask" -> feeds.put(name, ones(rows, expanded.shape()[1]));
                    case "attention_mask", "decoder_attention_mask" -> feeds.put(name, ones(rows, length));
                    case "position_ids" -> {
                        long[] positions = new long[rows * fresh];
                        for (int i = 0; i < positions.length; i++) positions[i] = from + i % fresh;
                        feeds.put(name, Tensor.ofLongs(positions, rows, fresh));
                    }
                    case "use_cache_branch" -> feeds.put(name, useCache);
                    default -> {
                        if (name.startsWith(PAST_PREFIX) && pastFeeds != null && pastFeeds.containsKey(name)) {
                            feeds.put(name, pastFeeds.get(name));
                        }
                    }
                }
            }
            return feeds;
        }
    }

    /** Empty pasts [rows, heads, 0, width] for a merged decoder's first step. */
    private Map<String, Tensor.Floats> emptyPast(OnnxPart part, int rows) {
        Map<String, Tensor.Floats> empty = new LinkedHashMap<>();
        for (Port p : part.inputs().values()) {
            if (!p.name().startsWith(PAST_PREFIX)) continue;
            long[] declared = p.shape();
            if (declared.length != 4) throw part.notACaptioner("declares '" + p.describe() + "' where [batch, heads, length, width] was expected");
            long heads = declared[1] >= 0 ? declared[1] : configHeads;
            long width = declared[3] >= 0 ? declared[3] : configHeadWidth;
            if (heads <= 0 || width <= 0) {
                throw part.notACaptioner("declares '" + p.describe() + "' with symbolic sizes and config.json gives no"
                        + " decoder n_head/n_embd to fill them");
            }
            empty.put(p.name(), new Tensor.Floats(new long[] {rows, heads, 0, width}, new float[0]));
        }
        return empty;
    }

    /**
     * The next pasts: every returned present under its past name. Cross-attention caches ({@code .encoder.}) depend
     * on the picture only: once known they are kept (split with-past exports do not return them, merged ones
     * may return placeholders).
     */
    static Map<String, Tensor.Floats> presents(Map<String, Tensor.Floats> out, Map<String, Tensor.Floats> previous) {
        Map<String, Tensor.Floats> next = new LinkedHashMap<>();
        if (previous != null) next.putAll(previous);
        for (var e : out.entrySet()) {
            if (!e.getKey().startsWith(PRESENT_PREFIX)) continue;
            String past = PAST_PREFIX + e.getKey().substring(PRESENT_PREFIX.length());
            Tensor.Floats known = next.get(past);
            boolean crossAttention = past.contains(".encoder.");
            if (crossAttention && known != null && Tensor.elements(known.shape()) > 0) continue;
            next.put(past, e.getValue());
        }
        return next;
    }

    /** Row r of each tensor becomes row parents[r] of before: caches follow their beams. */
    static Map<String, Tensor.Floats> reorder(Map<String, Tensor.Floats> past, int[] parents) {
        boolean identity = true;
        for (int r = 0; r < parents.length; r++) identity &= parents[r] == r;
        if (identity) return past;
        Map<String, Tensor.Floats> out = new LinkedHashMap<>();
        for (var e : past.entrySet()) {
            Tensor.Floats t = e.getValue();
            long[] shape = t.shape();
            int rows = Math.toIntExact(shape[0]);
            int block = t.data().length / rows;
            float[] data = new float[block * parents.length];
            for (int r = 0; r < parents.length; r++) System.arraycopy(t.data(), parents[r] * block, data, r * block, block);
            long[] newShape = shape.clone();
            newShape[0] = parents.length;
            out.put(e.getKey(), new Tensor.Floats(newShape, data));
        }
        return out;
    }

    static Tensor.Floats repeatRows(Tensor.Floats t, int rows) {
        long[] shape = t.shape().clone();
        int block = t.data().length;
        float[] data = new float[block * rows];
        for (int r = 0; r < rows; r++) System.arraycopy(t.data(), 0, data, r * block, block);
        shape[0] = rows;
        return new Tensor.Floats(shape, data);
    }

    private static Tensor.Longs ones(int rows, long columns) {
        long[] data = new long[Math.toIntExact(rows * columns)];
        Arrays.fill(data, 1);
        return Tensor.ofLongs(data, rows, columns);
    }

    /** Logits of the last position of each row, from [rows, positions, vocabulary]. */
    private float[][] lastLogits(Tensor.Floats logits, int rows) {
        long[] shape = logits == null ? new long[0] : logits.shape();
        if (shape.length != 3 || shape[0] != rows) {
            throw first.notACaptioner("returned logits of shape " + Arrays.toString(shape) + " where [" + rows
                    + ", positions, vocabulary] was expected");
        }
        int positions = Math.toIntExact(shape[1]);
        int vocabulary = Math.toIntExact(shape[2]);
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            int at = (r * positions + positions - 1) * vocabulary;
            out[r] = Arrays.copyOfRange(logits.data(), at, at + vocabulary);
        }
        return out;
    }

    @Override
    public void close() {
        first.close();
        if (later != first) later.close();
    }

    static List<String> pastNames(OnnxPart part) {
        return part.inputs().keySet().stream().filter(n -> n.startsWith(PAST_PREFIX)).toList();
    }
}
