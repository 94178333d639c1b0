package dev.atelier.diffusion.regional;

import dev.atelier.diffusion.regional.Proto.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rewrites a UNet's cross-attention blocks for regional prompts in one pass. Every softmax whose logits come (within
 * a few nodes) from {@code encoder_hidden_states} and whose probabilities feed a MatMul with the values is the
 * {@code attn2} softmax of a torch/optimum export. With the states of G prompts concatenated on the token axis, it
 * becomes: logits reshaped [..., hw, G, T], softmax over each prompt's own T tokens, probabilities times the weight
 * of that prompt at each query pixel (the {@value #WEIGHTS_INPUT} input [1, G, H, W] at latent size, resized to the
 * block's grid by nearest neighbour), reshaped back. The MatMul with V then sums Σ_g w_g · softmax_g · V_g, so that
 * weights β for the base and (1 − β)·M_r for region r give h = (1 − β) Σ_r M_r ⊙ Attn(Q, c_r) + β Attn(Q, c_base);
 * the output projection is linear and its bias passes through because the weights sum to 1 in every pixel.
 */
public final class CrossAttentionRewrite {
    /** The extra UNet input: per prompt group, its weight at each latent pixel. */
    public static final String WEIGHTS_INPUT = "regional_weights";
    static final String STATES_INPUT = "encoder_hidden_states";
    /** How far back from a softmax's logits the text states must be: a cross-attention key path is 5–9 nodes. */
    private static final int MAX_KEY_PATH = 12;
    private static final String P = "regional_attention/";
    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    /** The rewritten model and how many cross-attention blocks it rewrote. */
    public record Result(byte[] model, int blocks) {}

    private record Node(List<Field> fields, String opType, String domain, List<String> inputs, List<String> outputs,
                        String name) {
        static Node parse(Field f) {
            List<Field> fields = f.message();
            return new Node(fields, Proto.string(fields, 4, ""), Proto.string(fields, 7, ""), Proto.strings(fields, 1),
                    Proto.strings(fields, 2), Proto.string(fields, 3, ""));
        }
    }

    private CrossAttentionRewrite() {}

    /** The rewrite of {@code model} (a serialized ModelProto), or empty when it has no cross-attention softmax. */
    public static Optional<Result> rewrite(byte[] model) {
        List<Field> modelFields = Proto.read(model);
        int graphAt = -1;
        long opset = -1;
        for (int i = 0; i < modelFields.size(); i++) {
            Field f = modelFields.get(i);
            if (f.number() == 7) graphAt = i;
            if (f.number() == 8) {
                List<Field> id = f.message();
                if (Proto.string(id, 1, "").isEmpty()) opset = Proto.varintField(id, 2, -1);
            }
        }
        if (graphAt < 0 || opset < 11) return Optional.empty();
        List<Field> graph = modelFields.get(graphAt).message();

        Map<String, Node> producers = new HashMap<>();
        Map<String, List<Node>> consumers = new HashMap<>();
        List<Node> nodes = new ArrayList<>();
        Set<String> inputs = new HashSet<>();
        int sampleType = FLOAT;
        for (Field f : graph) {
            if (f.number() == 1) {
                Node n = Node.parse(f);
                nodes.add(n);
                for (String out : n.outputs()) producers.put(out, n);
                for (String in : n.inputs()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            } else if (f.number() == 11) {
                List<Field> info = f.message();
                String name = Proto.string(info, 1, "");
                inputs.add(name);
                if (name.equals("sample")) sampleType = elemType(info);
            }
        }
        if (!inputs.contains(STATES_INPUT) || inputs.contains(WEIGHTS_INPUT)) return Optional.empty();

        List<Node> softmaxes = new ArrayList<>();
        for (Node n : nodes) {
            if (!n.opType().equals("Softmax") || !(n.domain().isEmpty() || n.domain().equals("ai.onnx"))) continue;
            if (n.inputs().isEmpty() || n.outputs().isEmpty()) continue;
            if (!lastAxis(n, opset)) continue;
            boolean feedsMatMul = consumers.getOrDefault(n.outputs().getFirst(), List.of()).stream()
                    .anyMatch(c -> c.opType().equals("MatMul") && c.inputs().getFirst().equals(n.outputs().getFirst()));
            if (feedsMatMul && reachesStates(n.inputs().getFirst(), producers)) softmaxes.add(n);
        }
        if (softmaxes.isEmpty()) return Optional.empty();

        Builder b = new Builder(opset, sampleType);
        List<Field> newGraph = new ArrayList<>();
        boolean globalsWritten = false;
        int block = 0;
        for (Field f : graph) {
            if (f.number() != 1) {
                newGraph.add(f);
                continue;
            }
            if (!globalsWritten) {
                newGraph.addAll(b.globalNodes());
                globalsWritten = true;
            }
            Node n = Node.parse(f);
            if (softmaxes.stream().anyMatch(s -> s.fields() == n.fields() || sameNode(s, n))) {
                newGraph.addAll(b.blockNodes(block++, n.inputs().getFirst(), n.outputs().getFirst()));
            } else {
                newGraph.add(f);
            }
        }
        newGraph.addAll(b.initializers());
        newGraph.add(Field.message(11, weightsInput(sampleType)));
        List<Field> newModel = new ArrayList<>(modelFields);
        newModel.set(graphAt, Field.message(7, newGraph));
        return Optional.of(new Result(Proto.write(newModel), block));
    }

    private static boolean sameNode(Node a, Node b) {
        return a.opType().equals(b.opType()) && a.inputs().equals(b.inputs()) && a.outputs().equals(b.outputs());
    }

    /** Softmax over the last axis: axis −1 (or, before opset 13, an explicit axis of 2 or more on attention logits). */
    private static boolean lastAxis(Node n, long opset) {
        for (Field f : n.fields()) {
            if (f.number() != 5) continue;
            List<Field> attr = f.message();
            if (!Proto.string(attr, 1, "").equals("axis")) continue;
            long axis = Proto.varintField(attr, 3, opset >= 13 ? -1 : 1);
            return axis == -1 || axis >= 2;
        }
        return opset >= 13;
    }

    private static boolean reachesStates(String tensor, Map<String, Node> producers) {
        ArrayDeque<String> frontier = new ArrayDeque<>(List.of(tensor));
        Set<String> seen = new HashSet<>(frontier);
        for (int depth = 0; depth <= MAX_KEY_PATH && !frontier.isEmpty(); depth++) {
            ArrayDeque<String> next = new ArrayDeque<>();
            for (String t : frontier) {
                if (t.equals(STATES_INPUT)) return true;
                Node producer = producers.get(t);
                if (producer == null) continue;
                for (String in : producer.inputs()) if (!in.isEmpty() && seen.add(in)) next.add(in);
            }
            frontier = next;
        }
        return false;
    }

    private static int elemType(List<Field> valueInfo) {
        Field type = Proto.first(valueInfo, 2);
        if (type == null) return FLOAT;
        Field tensor = Proto.first(type.message(), 1);
        return tensor == null ? FLOAT : (int) Proto.varintField(tensor.message(), 1, FLOAT);
    }

    private static List<Field> weightsInput(int elemType) {
        List<Field> shape = new ArrayList<>();
        shape.add(Field.message(1, List.of(Field.varint(1, 1))));
        for (String d : List.of("regional_groups", "regional_height", "regional_width")) {
            shape.add(Field.message(1, List.of(Field.string(2, d))));
        }
        List<Field> tensorType = List.of(Field.varint(1, elemType), Field.message(2, shape));
        return List.of(Field.string(1, WEIGHTS_INPUT), Field.message(2, List.of(Field.message(1, tensorType))));
    }

    /** Writes the nodes and constants of the rewrite. */
    private static final class Builder {
        private final long opset;
        private final int sampleType;
        private final Map<String, long[]> constants = new HashMap<>();

        Builder(long opset, int sampleType) {
            this.opset = opset;
            this.sampleType = sampleType;
        }

        /** Once per graph: the weights in float, their group count and latent size. */
        List<Field> globalNodes() {
            List<Field> out = new ArrayList<>();
            out.add(node("Cast", List.of(WEIGHTS_INPUT), P + "weights_f", List.of(intAttr("to", FLOAT))));
            out.add(node("Shape", List.of(WEIGHTS_INPUT), P + "weights_shape", List.of()));
            out.add(slice(P + "weights_shape", 0, 2, P + "one_groups"));
            out.add(slice(P + "weights_shape", 1, 2, P + "groups"));
            out.add(slice(P + "weights_shape", 2, 3, P + "height"));
            out.add(slice(P + "weights_shape", 3, 4, P + "width"));
            out.add(node("Cast", List.of(P + "height"), P + "height_f", List.of(intAttr("to", FLOAT))));
            out.add(node("Cast", List.of(P + "width"), P + "width_f", List.of(intAttr("to", FLOAT))));
            out.add(node("Mul", List.of(P + "height_f", P + "width_f"), P + "area_f", List.of()));
            out.add(node("Concat", List.of(P + "groups", constant(-1)), P + "groups_flat", List.of(intAttr("axis", 0))));
            return out;
        }

        /** Replaces the softmax {@code logits → probabilities} of block {@code index}. */
        List<Field> blockNodes(int index, String logits, String probabilities) {
            String p = P + "block" + index + "/";
            List<Field> out = new ArrayList<>();
            out.add(node("Shape", List.of(logits), p + "shape", List.of()));
            out.add(slice(p + "shape", 0, -1, p + "lead"));
            out.add(node("Concat", List.of(p + "lead", P + "groups", constant(-1)), p + "grouped_shape", List.of(intAttr("axis", 0))));
            out.add(node("Reshape", List.of(logits, p + "grouped_shape"), p + "grouped", List.of()));
            out.add(node("Softmax", List.of(p + "grouped"), p + "softmax", List.of(intAttr("axis", -1))));
            // the block's grid: latent size / f with f = round(√(latent area / queries)), rounded up as strided convs do
            out.add(slice(p + "shape", -2, -1, p + "queries"));
            out.add(node("Cast", List.of(p + "queries"), p + "queries_f", List.of(intAttr("to", FLOAT))));
            out.add(node("Div", List.of(P + "area_f", p + "queries_f"), p + "area_ratio", List.of()));
            out.add(node("Sqrt", List.of(p + "area_ratio"), p + "factor_raw", List.of()));
            out.add(node("Round", List.of(p + "factor_raw"), p + "factor", List.of()));
            for (String side : List.of("height", "width")) {
                out.add(node("Div", List.of(P + side + "_f", p + "factor"), p + side + "_q", List.of()));
                out.add(node("Ceil", List.of(p + side + "_q"), p + side + "_c", List.of()));
                out.add(node("Cast", List.of(p + side + "_c"), p + side, List.of(intAttr("to", INT64))));
            }
            out.add(node("Concat", List.of(P + "one_groups", p + "height", p + "width"), p + "sizes", List.of(intAttr("axis", 0))));
            String none = opset >= 13 ? "" : emptyFloats();
            out.add(node("Resize", List.of(P + "weights_f", none, none, p + "sizes"), p + "weights_grid",
                    List.of(stringAttr("mode", "nearest"))));
            out.add(node("Reshape", List.of(p + "weights_grid", P + "groups_flat"), p + "weights_rows", List.of()));
            out.add(node("Transpose", List.of(p + "weights_rows"), p + "weights_cols", List.of(intsAttr("perm", 1, 0))));
            out.add(node("Reshape", List.of(p + "weights_cols", constant(0, 0, 1)), p + "weights_f", List.of()));
            if (opset >= 15) {
                out.add(node("CastLike", List.of(p + "weights_f", p + "softmax"), p + "weights", List.of()));
            } else {
                out.add(node("Cast", List.of(p + "weights_f"), p + "weights", List.of(intAttr("to", sampleType))));
            }
            out.add(node("Mul", List.of(p + "softmax", p + "weights"), p + "weighted", List.of()));
            out.add(node("Reshape", List.of(p + "weighted", p + "shape"), probabilities, List.of()));
            return out;
        }

        List<Field> initializers() {
            List<Field> out = new ArrayList<>();
            constants.forEach((name, values) -> {
                List<Field> t = new ArrayList<>();
                if (values == null) {
                    t.add(Field.varint(1, 0));
                    t.add(Field.varint(2, FLOAT));
                    t.add(Field.string(8, name));
                    t.add(Field.bytes(9, new byte[0]));
                } else {
                    t.add(Field.varint(1, values.length));
                    t.add(Field.varint(2, INT64));
                    t.add(Field.string(8, name));
                    byte[] raw = new byte[8 * values.length];
                    for (int i = 0; i < values.length; i++) {
                        for (int k = 0; k < 8; k++) raw[8 * i + k] = (byte) (values[i] >>> (8 * k));
                    }
                    t.add(Field.bytes(9, raw));
                }
                out.add(Field.message(5, t));
            });
            return out;
        }

        private String constant(long... values) {
            StringBuilder name = new StringBuilder(P + "const");
            for (long v : values) name.append('_').append(v < 0 ? "m" + -v : Long.toString(v));
            constants.put(name.toString(), values);
            return name.toString();
        }

        private String emptyFloats() {
            constants.put(P + "empty", null);
            return P + "empty";
        }

        private Field slice(String data, long start, long end, String output) {
            return node("Slice", List.of(data, constant(start), constant(end)), output, List.of());
        }

        private Field node(String op, List<String> in, String output, List<Field> attributes) {
            List<Field> n = new ArrayList<>();
            for (String i : in) n.add(Field.string(1, i));
            n.add(Field.string(2, output));
            n.add(Field.string(3, output + "/" + op));
            n.add(Field.string(4, op));
            for (Field a : attributes) n.add(a);
            return Field.message(1, n);
        }

        private static Field intAttr(String name, long value) {
            return Field.message(5, List.of(Field.string(1, name), Field.varint(3, value), Field.varint(20, 2)));
        }

        private static Field intsAttr(String name, long... values) {
            List<Field> a = new ArrayList<>();
            a.add(Field.string(1, name));
            for (long v : values) a.add(Field.varint(8, v));
            a.add(Field.varint(20, 7));
            return Field.message(5, a);
        }

        private static Field stringAttr(String name, String value) {
            return Field.message(5, List.of(Field.string(1, name), Field.string(4, value), Field.varint(20, 3)));
        }
    }
}
