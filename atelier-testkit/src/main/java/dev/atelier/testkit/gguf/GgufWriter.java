package dev.atelier.testkit.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF files (version 3, little-endian): typed metadata key/values followed by F32 tensors, each
 * aligned to {@link #ALIGNMENT} bytes. Dimensions are given in GGML order (innermost first).
 */
public final class GgufWriter {

    public static final int ALIGNMENT = 32;
    private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
    private static final int VERSION = 3;

    /** GGUF metadata value types. */
    enum ValueType {
        UINT8(0), INT8(1), UINT16(2), INT16(3), UINT32(4), INT32(5), FLOAT32(6), BOOL(7), STRING(8), ARRAY(9),
        UINT64(10), INT64(11), FLOAT64(12);

        final int code;

        ValueType(int code) { this.code = code; }
    }

    private static final int GGML_TYPE_F32 = 0;

    private record Value(ValueType type, ValueType elementType, Object payload) {}

    private record Tensor(String name, long[] dims, float[] data) {}

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) { return put(key, new Value(ValueType.STRING, null, value)); }
    public GgufWriter putUint32(String key, int value) { return put(key, new Value(ValueType.UINT32, null, value)); }
    public GgufWriter putFloat32(String key, float value) { return put(key, new Value(ValueType.FLOAT32, null, value)); }
    public GgufWriter putBool(String key, boolean value) { return put(key, new Value(ValueType.BOOL, null, value)); }
    public GgufWriter putStrings(String key, List<String> values) {
        return put(key, new Value(ValueType.ARRAY, ValueType.STRING, List.copyOf(values)));
    }
    public GgufWriter putFloats(String key, float[] values) { return put(key, new Value(ValueType.ARRAY, ValueType.FLOAT32, values.clone())); }
    public GgufWriter putInts(String key, int[] values) { return put(key, new Value(ValueType.ARRAY, ValueType.INT32, values.clone())); }

    private GgufWriter put(String key, Value value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds an F32 tensor; {@code dims} in GGML order (ne[0] first), their product must equal data.length. */
    public GgufWriter tensor(String name, long[] dims, float[] data) {
        long count = 1;
        for (long d : dims) count *= d;
        if (count != data.length) {
            throw new IllegalArgumentException("tensor " + name + ": dims hold " + count + " values, data has " + data.length);
        }
        tensors.add(new Tensor(name, dims.clone(), data));
        return this;
    }

    public void write(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out);
        }
    }

    public void write(OutputStream out) throws IOException {
        Sink sink = new Sink(out);
        sink.u32(MAGIC);
        sink.u32(VERSION);
        sink.u64(tensors.size());
        sink.u64(metadata.size());
        for (var e : metadata.entrySet()) {
            sink.string(e.getKey());
            writeValue(sink, e.getValue());
        }
        long offset = 0;
        for (Tensor t : tensors) {
            sink.string(t.name());
            sink.u32(t.dims().length);
            for (long d : t.dims()) sink.u64(d);
            sink.u32(GGML_TYPE_F32);
            sink.u64(offset);
            offset = align(offset + 4L * t.data().length);
        }
        sink.padTo(align(sink.position));
        long dataStart = sink.position;
        for (Tensor t : tensors) {
            ByteBuffer buf = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(t.data());
            sink.bytes(buf.array());
            sink.padTo(dataStart + align(sink.position - dataStart));
        }
        out.flush();
    }

    private static long align(long n) { return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; }

    private static void writeValue(Sink sink, Value v) throws IOException {
        sink.u32(v.type().code);
        switch (v.type()) {
            case STRING -> sink.string((String) v.payload());
            case UINT32 -> sink.u32((Integer) v.payload());
            case FLOAT32 -> sink.f32((Float) v.payload());
            case BOOL -> sink.u8((Boolean) v.payload() ? 1 : 0);
            case ARRAY -> {
                sink.u32(v.elementType().code);
                switch (v.elementType()) {
                    case STRING -> {
                        @SuppressWarnings("unchecked") List<String> items = (List<String>) v.payload();
                        sink.u64(items.size());
                        for (String s : items) sink.string(s);
                    }
                    case FLOAT32 -> {
                        float[] items = (float[]) v.payload();
                        sink.u64(items.length);
                        for (float f : items) sink.f32(f);
                    }
                    case INT32 -> {
                        int[] items = (int[]) v.payload();
                        sink.u64(items.length);
                        for (int i : items) sink.u32(i);
                    }
                    default -> throw new IllegalStateException("unsupported array element type " + v.elementType());
                }
            }
            default -> throw new IllegalStateException("unsupported value type " + v.type());
        }
    }

    /** Little-endian primitive output that tracks its position for alignment. */
    private static final class Sink {
        private final OutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long position;

        Sink(OutputStream out) { this.out = out; }

        void u8(int v) throws IOException { out.write(v); position++; }
        void u32(int v) throws IOException { scratch.clear(); scratch.putInt(v); flushScratch(4); }
        void u64(long v) throws IOException { scratch.clear(); scratch.putLong(v); flushScratch(8); }
        void f32(float v) throws IOException { scratch.clear(); scratch.putFloat(v); flushScratch(4); }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void bytes(byte[] b) throws IOException { out.write(b); position += b.length; }

        void padTo(long target) throws IOException {
            while (position < target) u8(0);
        }

        private void flushScratch(int n) throws IOException {
            out.write(scratch.array(), 0, n);
            position += n;
        }
    }
}
