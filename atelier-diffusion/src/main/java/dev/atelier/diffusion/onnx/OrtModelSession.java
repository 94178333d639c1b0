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
    /** Native buffers reused run after run for per-run inputs (saves an allocation and zeroing per step). */
    private final Map<String, ByteBuffer> scratch = new HashMap<>();
    /** Owns the scratch buffers: freed when the session closes, not whenever the collector finds them. */
    private final Arena scratchMemory = Arena.ofShared();

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
    public BoundRun bind(Map<String, long[]> writable, Map<String, PreparedInput> fixed, Map<String, long[]> outputs) {
        for (TensorSpec s : inputs) {
            if (!writable.containsKey(s.name()) && !fixed.containsKey(s.name())) {
                throw new AtelierException(name + " needs input '" + s.describe() + "' which Atelier does not know how"
                        + " to provide; this model is not a Stable Diffusion export of a supported kind");
            }
        }
        Arena arena = Arena.ofShared();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, NativeBuffer> inputBuffers = new HashMap<>();
            for (var e : writable.entrySet()) {
                NativeBuffer b = nativeBuffer(requireInput(e.getKey()), e.getValue(), arena, "input");
                owned.add(b.tensor());
                feeds.put(e.getKey(), b.tensor());
                inputBuffers.put(e.getKey(), b);
            }
            for (var e : fixed.entrySet()) {
                if (!(e.getValue() instanceof Prepared p)) {
                    throw new IllegalArgumentException("input prepared by another session: " + e.getValue());
                }
                feeds.put(e.getKey(), p.tensor());
            }
            Map<String, NativeBuffer> outputBuffers = new HashMap<>();
            Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
            for (var e : outputs.entrySet()) {
                NativeBuffer b = nativeBuffer(requireOutput(e.getKey()), e.getValue(), arena, "output");
                owned.add(b.tensor());
                pinned.put(e.getKey(), b.tensor());
                outputBuffers.put(e.getKey(), b);
            }
            return new NativeBoundRun(feeds, pinned, inputBuffers, outputBuffers, owned, arena);
        } catch (RuntimeException e) {
            owned.forEach(OnnxTensor::close);
            arena.close();
            throw e;
        }
    }

    /** A tensor over native memory of the declared element type, and typed views to write or read it. */
    private record NativeBuffer(TensorSpec spec, OnnxTensor tensor, ByteBuffer bytes, int size)
            implements BoundRun.InputBuffer, BoundRun.OutputBuffer {

        @Override
        public void put(int at, float[] values, int from, int length) {
            switch (spec.type()) {
                case FLOAT -> bytes.asFloatBuffer().put(at, values, from, length);
                case FLOAT16 -> {
                    for (int i = 0; i < length; i++) bytes.putShort(2 * (at + i), Float.floatToFloat16(values[from + i]));
                }
                case DOUBLE -> { for (int i = 0; i < length; i++) bytes.putDouble(8 * (at + i), values[from + i]); }
                case INT64 -> { for (int i = 0; i < length; i++) bytes.putLong(8 * (at + i), (long) values[from + i]); }
                case INT32 -> { for (int i = 0; i < length; i++) bytes.putInt(4 * (at + i), (int) values[from + i]); }
                case OTHER -> throw new IllegalStateException("unreachable: OTHER is refused at binding");
            }
        }

        @Override
        public void fill(float value) {
            for (int i = 0; i < size; i++) {
                switch (spec.type()) {
                    case FLOAT -> bytes.putFloat(4 * i, value);
                    case FLOAT16 -> bytes.putShort(2 * i, Float.floatToFloat16(value));
                    case DOUBLE -> bytes.putDouble(8 * i, value);
                    case INT64 -> bytes.putLong(8 * i, (long) value);
                    case INT32 -> bytes.putInt(4 * i, (int) value);
                    case OTHER -> throw new IllegalStateException("unreachable: OTHER is refused at binding");
                }
            }
        }

        @Override
        public void get(int at, float[] dest, int destFrom, int length) {
            switch (spec.type()) {
                case FLOAT -> bytes.asFloatBuffer().get(at, dest, destFrom, length);
                case FLOAT16 -> { for (int i = 0; i < length; i++) dest[destFrom + i] = Float.float16ToFloat(bytes.getShort(2 * (at + i))); }
                case DOUBLE -> { for (int i = 0; i < length; i++) dest[destFrom + i] = (float) bytes.getDouble(8 * (at + i)); }
                case INT64 -> { for (int i = 0; i < length; i++) dest[destFrom + i] = bytes.getLong(8 * (at + i)); }
                case INT32 -> { for (int i = 0; i < length; i++) dest[destFrom + i] = bytes.getInt(4 * (at + i)); }
                case OTHER -> throw new IllegalStateException("unreachable: OTHER is refused at binding");
            }
        }
    }

    private NativeBuffer nativeBuffer(TensorSpec spec, long[] shape, Arena arena, String role) {
        if (spec.rank() > 0 && !spec.accepts(shape)) {
            throw new AtelierException(name + " " + role + " '" + spec.name() + "' is declared with shape "
                    + Arrays.toString(spec.shape()).replace("-1", "?") + " but Atelier has " + Arrays.toString(shape)
                    + "; the pipeline's components do not fit together (mixed models?) or the size is not supported");
        }
        int size = Math.toIntExact(Tensor.elements(shape));
        int width = switch (spec.type()) {
            case FLOAT, INT32 -> 4;
            case FLOAT16 -> 2;
            case DOUBLE, INT64 -> 8;
            case OTHER -> throw new AtelierException(name + " " + role + " '" + spec.name()
                    + "' has an element type Atelier does not handle (only float, float16, double, int32, int64)");
        };
        ByteBuffer bytes = arena.allocate((long) size * width, 8).asByteBuffer().order(ByteOrder.nativeOrder());
        try {
            OnnxTensor tensor = switch (spec.type()) {
                case FLOAT -> OnnxTensor.createTensor(env, bytes.asFloatBuffer(), shape);
                case FLOAT16 -> OnnxTensor.createTensor(env, bytes.asShortBuffer(), shape, OnnxJavaType.FLOAT16);
                case DOUBLE -> OnnxTensor.createTensor(env, bytes.asDoubleBuffer(), shape);
                case INT64 -> OnnxTensor.createTensor(env, bytes.asLongBuffer(), shape);
                case INT32 -> OnnxTensor.createTensor(env, bytes.asIntBuffer(), shape);
                case OTHER -> throw new IllegalStateException("unreachable");
            };
            return new NativeBuffer(spec, tensor, bytes, size);
        } catch (OrtException e) {
            throw new AtelierException("cannot create " + role + " '" + spec.name() + "' for " + name + ": " + e.getMessage(), e);
        }
    }

    private final class NativeBoundRun implements BoundRun {
        private final Map<String, OnnxTensor> feeds;
        private final Map<String, OnnxTensor> pinned;
        private final Map<String, NativeBuffer> inputBuffers;
        private final Map<String, NativeBuffer> outputBuffers;
        private final List<OnnxTensor> owned;
        private final Arena arena;

        NativeBoundRun(Map<String, OnnxTensor> feeds, Map<String, OnnxTensor> pinned, Map<String, NativeBuffer> inputBuffers,
                       Map<String, NativeBuffer> outputBuffers, List<OnnxTensor> owned, Arena arena) {
            this.feeds = feeds;
            this.pinned = pinned;
            this.inputBuffers = inputBuffers;
            this.outputBuffers = outputBuffers;
            this.owned = owned;
            this.arena = arena;
        }

        @Override
        public InputBuffer input(String input) {
            NativeBuffer b = inputBuffers.get(input);
            if (b == null) throw new IllegalArgumentException(input + " is not a writable input of this binding");
            return b;
        }

        @Override
        public OutputBuffer output(String output) {
            NativeBuffer b = outputBuffers.get(output);
            if (b == null) throw new IllegalArgumentException(output + " is not a bound output");
            return b;
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            // the pinned outputs belong to this binding: closing the result leaves them open
            try (OrtSession.Result ignored = session.run(feeds, pinned)) {
                nanosInRuns += System.nanoTime() - start;
            } catch (OrtException e) {
                throw new AtelierException(name + " failed to run: " + e.getMessage()
                        + " — the inputs or the expected outputs do not fit this model (inputs: " + shapes(inputBuffers)
                        + ", outputs: " + shapes(outputBuffers) + ")", e);
            }
        }

        private static String shapes(Map<String, NativeBuffer> buffers) {
            StringBuilder b = new StringBuilder();
            buffers.forEach((k, v) -> b.append(k).append(Arrays.toString(v.tensor().getInfo().getShape())).append(' '));
            return b.toString().trim();
        }

        @Override
        public void close() {
            owned.forEach(OnnxTensor::close);
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
            // the outgrown buffer stays in the arena until close: inputs grow rarely (a larger picture size)
            b = scratchMemory.allocate(bytes, 8).asByteBuffer().order(ByteOrder.nativeOrder());
            scratch.put(input, b);
        }
        return b.clear().limit(Math.toIntExact(bytes)).slice().order(ByteOrder.nativeOrder());
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
        } finally {
            scratch.clear();
            scratchMemory.close();
        }
    }
}
