package dev.atelier.testkit.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes ONNX models (ModelProto) from Java, for tests: named graph inputs and outputs with element types and
 * shapes (fixed or symbolic), initializers (float, float16, int64, int32; inline or in an external data
 * file), and nodes with attributes. Field numbers follow onnx.proto3.
 *
 * <pre>{@code
 * byte[] model = new OnnxModelBuilder("toy")
 *     .input("x", ElemType.FLOAT, "batch", 3)
 *     .initializer("w", new long[] {3, 2}, new float[] {...})
 *     .node("MatMul", List.of("x", "w"), List.of("y"))
 *     .output("y", ElemType.FLOAT, "batch", 2)
 *     .build();
 * }</pre>
 */
public final class OnnxModelBuilder {

    /** ONNX TensorProto.DataType values. */
    public enum ElemType {
        FLOAT(1), UINT8(2), INT8(3), INT32(6), INT64(7), BOOL(9), FLOAT16(10), DOUBLE(11);

        public final int code;

        ElemType(int code) { this.code = code; }
    }

    /** An attribute value of a node: float, int, string, tensor, floats or ints. */
    public sealed interface Attr permits FloatAttr, IntAttr, StringAttr, IntsAttr, FloatsAttr, TensorAttr {}
    public record FloatAttr(float value) implements Attr {}
    public record IntAttr(long value) implements Attr {}
    public record StringAttr(String value) implements Attr {}
    public record IntsAttr(long... values) implements Attr {}
    public record FloatsAttr(float... values) implements Attr {}
    public record TensorAttr(ElemType type, long[] dims, byte[] littleEndianData) implements Attr {}

    private static final int IR_VERSION = 8;

    private final String graphName;
    private int opset = 17;
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private int nodeCounter;

    private record Initializer(String name, ElemType type, long[] dims, byte[] data) {}

    public OnnxModelBuilder(String graphName) {
        this.graphName = graphName;
    }

    public OnnxModelBuilder opset(int version) {
        this.opset = version;
        return this;
    }

    /** A graph input; each dimension is an Integer/Long (fixed) or a String (symbolic, e.g. "batch"). */
    public OnnxModelBuilder input(String name, ElemType type, Object... dims) {
        inputs.add(valueInfo(name, type, dims));
        return this;
    }

    /** A graph output; dims as for {@link #input}. An empty dims array leaves the shape unspecified. */
    public OnnxModelBuilder output(String name, ElemType type, Object... dims) {
        outputs.add(valueInfo(name, type, dims));
        return this;
    }

    public OnnxModelBuilder initializer(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return rawInitializer(name, ElemType.FLOAT, dims, b.array());
    }

    /** A float16 initializer from float values (rounded to nearest half). */
    public OnnxModelBuilder initializerFp16(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort(Float.floatToFloat16(v));
        return rawInitializer(name, ElemType.FLOAT16, dims, b.array());
    }

    public OnnxModelBuilder initializer(String name, long[] dims, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return rawInitializer(name, ElemType.INT64, dims, b.array());
    }

    public OnnxModelBuilder initializer(String name, long[] dims, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return rawInitializer(name, ElemType.INT32, dims, b.array());
    }

    /** An initializer from little-endian bytes of the given element type. */
    public OnnxModelBuilder rawInitializer(String name, ElemType type, long[] dims, byte[] littleEndian) {
        initializers.add(new Initializer(name, type, dims.clone(), littleEndian.clone()));
        return this;
    }

    public OnnxModelBuilder node(String opType, List<String> in, List<String> out) {
        return node(opType, in, out, Map.of());
    }

    public OnnxModelBuilder node(String opType, List<String> in, List<String> out, Map<String, Attr> attributes) {
        ProtoWriter n = new ProtoWriter();
        for (String s : in) n.string(1, s);
        for (String s : out) n.string(2, s);
        n.string(3, opType + "_" + (nodeCounter++));
        n.string(4, opType);
        for (var e : new LinkedHashMap<>(attributes).entrySet()) n.message(5, attribute(e.getKey(), e.getValue()));
        nodes.add(n);
        return this;
    }

    /** The serialized model with every initializer inline. */
    public byte[] build() {
        return model(null, null).toByteArray();
    }

    /** Writes the model to {@code file}, every initializer inline. */
    public Path writeTo(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, build());
        return file;
    }

    /**
     * Writes the model to {@code file} with initializers larger than {@code thresholdBytes} in an external
     * data file beside it, named {@code dataFileName} — the layout big exports use.
     */
    public Path writeWithExternalData(Path file, String dataFileName, int thresholdBytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        ByteArrayOutputStreamWithOffset data = new ByteArrayOutputStreamWithOffset();
        ProtoWriter model = model(data, new ExternalPolicy(dataFileName, thresholdBytes));
        Files.write(file, model.toByteArray());
        Files.write(file.resolveSibling(dataFileName), data.toByteArray());
        return file;
    }

    private record ExternalPolicy(String location, int thresholdBytes) {}

    private static final class ByteArrayOutputStreamWithOffset extends java.io.ByteArrayOutputStream {
        long offset() { return count; }
    }

    private ProtoWriter model(ByteArrayOutputStreamWithOffset external, ExternalPolicy policy) {
        ProtoWriter graph = new ProtoWriter();
        for (ProtoWriter n : nodes) graph.message(1, n);
        graph.string(2, graphName);
        for (Initializer init : initializers) graph.message(5, tensor(init, external, policy));
        for (ProtoWriter i : inputs) graph.message(11, i);
        for (ProtoWriter o : outputs) graph.message(12, o);

        ProtoWriter opsetId = new ProtoWriter().string(1, "").varint(2, opset);
        return new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, "atelier-testkit")
                .string(3, "0.1")
                .message(7, graph)
                .message(8, opsetId);
    }

    private static ProtoWriter tensor(Initializer init, ByteArrayOutputStreamWithOffset external, ExternalPolicy policy) {
        ProtoWriter t = new ProtoWriter();
        t.packedVarints(1, init.dims());
        t.varint(2, init.type().code);
        t.string(8, init.name());
        if (external != null && init.data().length > policy.thresholdBytes()) {
            long offset = external.offset();
            external.writeBytes(init.data());
            t.message(13, entry("location", policy.location()));
            t.message(13, entry("offset", Long.toString(offset)));
            t.message(13, entry("length", Integer.toString(init.data().length)));
            t.varint(14, 1); // data_location = EXTERNAL
        } else {
            t.bytes(9, init.data());
        }
        return t;
    }

    private static ProtoWriter entry(String key, String value) {
        return new ProtoWriter().string(1, key).string(2, value);
    }

    private static ProtoWriter attribute(String name, Attr value) {
        ProtoWriter a = new ProtoWriter().string(1, name);
        switch (value) {
            case FloatAttr f -> a.float32(2, f.value()).varint(20, 1);
            case IntAttr i -> a.varint(3, i.value()).varint(20, 2);
            case StringAttr s -> a.string(4, s.value()).varint(20, 3);
            case TensorAttr t -> a.message(5, tensor(new Initializer(name, t.type(), t.dims(), t.littleEndianData()), null, null))
                    .varint(20, 4);
            case FloatsAttr fs -> a.packedFloats(7, fs.values()).varint(20, 6);
            case IntsAttr is -> a.packedVarints(8, is.values()).varint(20, 7);
        }
        return a;
    }

    private static ProtoWriter valueInfo(String name, ElemType type, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            ProtoWriter dim = new ProtoWriter();
            switch (d) {
                case Integer i -> dim.varint(1, i);
                case Long l -> dim.varint(1, l);
                case String s -> dim.string(2, s);
                default -> throw new IllegalArgumentException("dimension must be a number or a name: " + d);
            }
            shape.message(1, dim);
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, type.code);
        if (dims.length > 0) tensorType.message(2, shape);
        ProtoWriter typeProto = new ProtoWriter().message(1, tensorType);
        return new ProtoWriter().string(1, name).message(2, typeProto);
    }
}
