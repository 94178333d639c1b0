package dev.atelier.diffusion.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.atelier.core.AtelierException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/** {@link ModelSession} on an ONNX Runtime {@link OrtSession}. */
final class OrtModelSession implements ModelSession {
    private final String name;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private long nanosInRuns;
    /** Direct buffers reused run after run for per-run inputs (saves an allocation and zeroing per step). */
    private final Map<String, ByteBuffer> scratch = new HashMap<>();

    OrtModelSession(String name, OrtEnvironment env, OrtSession session) throws OrtException {
        this.name = name;
        this.env = env;
        this.session = session;
        this.inputs = specs(session.getInputInfo());
        this.outputs = specs(session.getOutputInfo());
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> infos) {
        List<TensorSpec> out = new ArrayList<>();
        for (NodeInfo n : infos.values()) {
            if (n.getInfo() instanceof TensorInfo t) out.add(new TensorSpec(n.getName(), elementType(t.type), t.getShape()));
            else out.add(new TensorSpec(n.getName(), ElementType.OTHER, new long[0]));
        }
        return List.copyOf(out);
    }

    static ElementType elementType(OnnxJavaType t) {
        return switch (t) {
            case FLOAT -> ElementType.FLOAT;
            case FLOAT16 -> ElementType.FLOAT16;
            case DOUBLE -> ElementType.DOUBLE;
            case INT32 -> ElementType.INT32;
            case INT64 -> ElementType.INT64;
            default -> ElementType.OTHER;
        };
    }

    @Override public String name() { return name; }

    @Override public List<TensorSpec> inputs() { return inputs; }

    @Override public List<TensorSpec> outputs() { return outputs; }

    @Override public long nanosInRuns() { return nanosInRuns; }

    @Override
    public PreparedInput prepare(String inputName, Tensor tensor) {
        TensorSpec spec = requireInput(inputName);
        // native memory freed on close, not whenever the garbage collector gets to a direct buffer
        Arena arena = Arena.ofShared();
        try {
            OnnxTensor t = toOnnx(spec, tensor, bytes -> arena.allocate(bytes, 8).asByteBuffer().order(ByteOrder.nativeOrder()));
            return new Prepared(inputName, t, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private record Prepared(String inputName, OnnxTensor tensor, Arena arena) implements PreparedInput {
        @Override
        public void close() {
            tensor.close();
            arena.close();
        }
    }

    @Override
    public Map<String, Tensor.Floats> run(Map<String, ? extends Feed> feeds, Set<String> wanted) {
        for (TensorSpec s : inputs) {
            if (!feeds.containsKey(s.name())) {
                throw new AtelierException(name + " needs input '" + s.describe() + "' which Atelier does not know how"
                        + " to provide; this model is not a Stable Diffusion export of a supported kind");
            }
        }
        Map<String, OnnxTensor> native_ = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            for (var e : feeds.entrySet()) {
                TensorSpec spec = requireInput(e.getKey());
                switch (e.getValue()) {
                    case Tensor t -> {
                        OnnxTensor o = toOnnx(spec, t, bytes -> scratch(spec.name(), bytes));
                        owned.add(o);
                        native_.put(e.getKey(), o);
                    }
                    case Prepared p -> native_.put(e.getKey(), p.tensor());
                    case PreparedInput p -> throw new IllegalArgumentException("input prepared by another session: " + p);
                }
            }
            long start = System.nanoTime();
            try (OrtSession.Result result = wanted.isEmpty() ? session.run(native_) : session.run(native_, wanted)) {
                nanosInRuns += System.nanoTime() - start;
                Map<String, Tensor.Floats> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> r : result) {
                    if (r.getValue() instanceof OnnxTensor t) out.put(r.getKey(), toFloats(t));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new AtelierException(name + " failed to run: " + e.getMessage()
                    + " — the inputs do not fit this model (shapes: " + shapes(feeds) + ")", e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private static String shapes(Map<String, ? extends Feed> feeds) {
        StringBuilder b = new StringBuilder();
        feeds.forEach((k, v) -> {
            if (v instanceof Tensor t) b.append(k).append(Arrays.toString(t.shape())).append(' ');
        });
        return b.toString().trim();
    }

    /** @param direct where the converted data lives: a scratch buffer for one run, or memory a prepared input owns */
    private OnnxTensor toOnnx(TensorSpec spec, Tensor tensor, LongFunction<ByteBuffer> direct) {
        long[] shape = tensor.shape();
        if (spec.rank() > 0 && !spec.accepts(shape)) {
            throw new AtelierException(name + " input '" + spec.name() + "' expects shape "
                    + Arrays.toString(spec.shape()).replace("-1", "?") + " but Atelier has " + Arrays.toString(shape)
                    + "; the pipeline's components do not fit together (mixed models?) or the size is not supported");
        }
        int n = Math.toIntExact(Tensor.elements(shape));
        try {
            return switch (spec.type()) {
                case FLOAT -> {
                    FloatBuffer b = direct.apply(n * 4L).asFloatBuffer();
                    switch (tensor) {
                        case Tensor.Floats f -> b.put(f.data());
                        case Tensor.Longs l -> { for (long v : l.data()) b.put(v); }
                    }
                    yield OnnxTensor.createTensor(env, b.rewind(), shape);
                }
                case FLOAT16 -> {
                    ShortBuffer b = direct.apply(n * 2L).asShortBuffer();
                    switch (tensor) {
                        case Tensor.Floats f -> { for (float v : f.data()) b.put(Float.floatToFloat16(v)); }
                        case Tensor.Longs l -> { for (long v : l.data()) b.put(Float.floatToFloat16(v)); }
                    }
                    yield OnnxTensor.createTensor(env, b.rewind(), shape, OnnxJavaType.FLOAT16);
                }
                case DOUBLE -> {
                    var b = direct.apply(n * 8L).asDoubleBuffer();
                    switch (tensor) {
                        case Tensor.Floats f -> { for (float v : f.data()) b.put(v); }
                        case Tensor.Longs l -> { for (long v : l.data()) b.put(v); }
                    }
                    yield OnnxTensor.createTensor(env, b.rewind(), shape);
                }
                case INT64 -> {
                    var b = direct.apply(n * 8L).asLongBuffer();
                    switch (tensor) {
                        // truncation, as numpy's astype does in the reference pipelines
                        case Tensor.Floats f -> { for (float v : f.data()) b.put((long) v); }
                        case Tensor.Longs l -> b.put(l.data());
                    }
                    yield OnnxTensor.createTensor(env, b.rewind(), shape);
                }
                case INT32 -> {
                    var b = direct.apply(n * 4L).asIntBuffer();
                    switch (tensor) {
                        case Tensor.Floats f -> { for (float v : f.data()) b.put((int) v); }
                        case Tensor.Longs l -> { for (long v : l.data()) b.put(Math.toIntExact(v)); }
                    }
                    yield OnnxTensor.createTensor(env, b.rewind(), shape);
                }
                case OTHER -> throw new AtelierException(name + " input '" + spec.name()
                        + "' has an element type Atelier does not feed (only float, float16, double, int32, int64)");
            };
        } catch (OrtException e) {
            throw new AtelierException("cannot create input '" + spec.name() + "' for " + name + ": " + e.getMessage(), e);
        }
    }

    private ByteBuffer scratch(String input, long bytes) {
        ByteBuffer b = scratch.get(input);
        if (b == null || b.capacity() < bytes) {
            b = direct(bytes);
            scratch.put(input, b);
        }
        return b.clear().limit(Math.toIntExact(bytes)).slice().order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }

    private Tensor.Floats toFloats(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        long[] shape = info.getShape();
        int n = Math.toIntExact(Tensor.elements(shape));
        float[] out = new float[n];
        switch (info.type) {
            case FLOAT -> {
                FloatBuffer copy = t.getFloatBuffer();
                // the runtime hands back a fresh heap copy: take its array instead of copying again
                if (copy.hasArray() && copy.arrayOffset() == 0 && copy.array().length == n) return new Tensor.Floats(shape, copy.array());
                copy.get(out);
            }
            case FLOAT16 -> {
                ShortBuffer s = t.getShortBuffer();
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(s.get(i));
            }
            case DOUBLE -> {
                var d = t.getDoubleBuffer();
                for (int i = 0; i < n; i++) out[i] = (float) d.get(i);
            }
            case INT64 -> {
                var l = t.getLongBuffer();
                for (int i = 0; i < n; i++) out[i] = l.get(i);
            }
            case INT32 -> {
                var l = t.getIntBuffer();
                for (int i = 0; i < n; i++) out[i] = l.get(i);
            }
            default -> throw new AtelierException(name + " output has an element type Atelier cannot read: " + info.type);
        }
        return new Tensor.Floats(shape, out);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new AtelierException("cannot close " + name + ": " + e.getMessage(), e);
        }
    }
}
