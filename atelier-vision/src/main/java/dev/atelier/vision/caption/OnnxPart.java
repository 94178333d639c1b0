package dev.atelier.vision.caption;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.Device;
import dev.atelier.diffusion.onnx.OrtSessions;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.diffusion.onnx.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX model of a captioner (encoder, decoder) on ONNX Runtime. Unlike the diffusion session layer it also
 * feeds booleans ({@code use_cache_branch}) and empty tensors (a merged decoder's first past). Feeds are
 * {@link Tensor.Floats}, {@link Tensor.Longs} or a {@link Boolean}, converted to the declared element type; outputs
 * come back as float32. Not thread-safe.
 */
final class OnnxPart implements AutoCloseable {

    /** A declared input or output; a symbolic dimension is −1. */
    record Port(String name, OnnxJavaType type, long[] shape) {
        String describe() {
            return name + " " + type.name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(shape).replace("-1", "?");
        }
    }

    private final String role;
    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, Port> inputs;
    private final Map<String, Port> outputs;

    private OnnxPart(String role, Path file, OrtEnvironment env, OrtSession session) throws OrtException {
        this.role = role;
        this.file = file;
        this.env = env;
        this.session = session;
        this.inputs = ports(session.getInputInfo());
        this.outputs = ports(session.getOutputInfo());
    }

    static OnnxPart open(String role, Path file, SessionSettings settings) {
        if (!Files.isRegularFile(file)) throw new AtelierException(role + " model file is missing: " + file);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (settings.intraOpThreads() > 0) options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setOptimizationLevel(switch (settings.optimisation()) {
                case NONE -> OptLevel.NO_OPT;
                case BASIC -> OptLevel.BASIC_OPT;
                case EXTENDED -> OptLevel.EXTENDED_OPT;
                case ALL -> OptLevel.ALL_OPT;
            });
            options.setCPUArenaAllocator(settings.memoryArena());
            if (settings.device() == Device.CUDA) {
                if (!OrtSessions.cudaAvailable()) {
                    throw new AtelierException("captioning on cuda needs ONNX Runtime's GPU build (onnxruntime_gpu) on"
                            + " the classpath; run on the cpu instead");
                }
                options.addCUDA(settings.cudaDeviceId());
            }
            return new OnnxPart(role, file, env, env.createSession(file.toString(), options));
        } catch (OrtException e) {
            throw new AtelierException("cannot load the captioner's " + role + " from " + file + ": " + e.getMessage()
                    + " — the file may be damaged, truncated, or miss its external data file beside it", e);
        }
    }

    private static Map<String, Port> ports(Map<String, NodeInfo> infos) {
        Map<String, Port> out = new LinkedHashMap<>();
        for (NodeInfo n : infos.values()) {
            if (n.getInfo() instanceof TensorInfo t) out.put(n.getName(), new Port(n.getName(), t.type, t.getShape()));
            else out.put(n.getName(), new Port(n.getName(), OnnxJavaType.UNKNOWN, new long[0]));
        }
        return out;
    }

    String role() { return role; }

    Path file() { return file; }

    Map<String, Port> inputs() { return inputs; }

    Map<String, Port> outputs() { return outputs; }

    /** A user-facing error: this part lacks something a vision-encoder-decoder export has. */
    AtelierException notACaptioner(String what) {
        return new AtelierException(file + " " + what + " (inputs " + describe(inputs) + ", outputs " + describe(outputs)
                + "); it is not the " + role + " of a vision-encoder-decoder export (Hugging Face optimum layout)");
    }

    private static String describe(Map<String, Port> ports) {
        List<String> names = new ArrayList<>();
        for (Port p : ports.values()) names.add(p.describe());
        return names.size() > 8 ? names.subList(0, 8) + "…" : names.toString();
    }

    /** Runs with every declared input fed; returns every tensor output as float32. */
    Map<String, Tensor.Floats> run(Map<String, Object> feeds) {
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> native_ = new LinkedHashMap<>();
            for (Port p : inputs.values()) {
                Object value = feeds.get(p.name());
                if (value == null) throw notACaptioner("needs input '" + p.describe() + "' which Atelier cannot provide");
                OnnxTensor t = toOnnx(p, value);
                owned.add(t);
                native_.put(p.name(), t);
            }
            try (OrtSession.Result result = session.run(native_)) {
                Map<String, Tensor.Floats> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> r : result) {
                    if (r.getValue() instanceof OnnxTensor t) out.put(r.getKey(), toFloats(t));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new AtelierException("the captioner's " + role + " failed to run: " + e.getMessage(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor toOnnx(Port port, Object value) throws OrtException {
        if (value instanceof Boolean flag) {
            long[] shape = port.shape().length == 0 ? new long[0] : new long[] {1};
            ByteBuffer b = ByteBuffer.allocateDirect(1).order(ByteOrder.nativeOrder());
            b.put(0, (byte) (flag ? 1 : 0));
            return OnnxTensor.createTensor(env, b, shape, OnnxJavaType.BOOL);
        }
        Tensor tensor = (Tensor) value;
        long[] shape = tensor.shape();
        int n = Math.toIntExact(Tensor.elements(shape));
        return switch (port.type()) {
            case FLOAT -> {
                FloatBuffer b = direct(n * 4L).asFloatBuffer();
                switch (tensor) {
                    case Tensor.Floats f -> b.put(f.data());
                    case Tensor.Longs l -> { for (long x : l.data()) b.put(x); }
                }
                yield OnnxTensor.createTensor(env, b.flip(), shape);
            }
            case FLOAT16 -> {
                ShortBuffer b = direct(n * 2L).asShortBuffer();
                switch (tensor) {
                    case Tensor.Floats f -> { for (float x : f.data()) b.put(Float.floatToFloat16(x)); }
                    case Tensor.Longs l -> { for (long x : l.data()) b.put(Float.floatToFloat16(x)); }
                }
                yield OnnxTensor.createTensor(env, b.flip(), shape, OnnxJavaType.FLOAT16);
            }
            case INT64 -> {
                LongBuffer b = direct(n * 8L).asLongBuffer();
                switch (tensor) {
                    case Tensor.Floats f -> { for (float x : f.data()) b.put((long) x); }
                    case Tensor.Longs l -> b.put(l.data());
                }
                yield OnnxTensor.createTensor(env, b.flip(), shape);
            }
            case INT32 -> {
                var b = direct(n * 4L).asIntBuffer();
                switch (tensor) {
                    case Tensor.Floats f -> { for (float x : f.data()) b.put((int) x); }
                    case Tensor.Longs l -> { for (long x : l.data()) b.put(Math.toIntExact(x)); }
                }
                yield OnnxTensor.createTensor(env, b.flip(), shape);
            }
            default -> throw notACaptioner("has input '" + port.describe() + "' of an element type Atelier does not feed");
        };
    }

    private static ByteBuffer direct(long bytes) {
        // at least one byte: the runtime wants an address even for an empty past
        return ByteBuffer.allocateDirect((int) Math.max(bytes, 8)).order(ByteOrder.nativeOrder());
    }

    private Tensor.Floats toFloats(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        long[] shape = info.getShape();
        int n = Math.toIntExact(Tensor.elements(shape));
        float[] out = new float[n];
        switch (info.type) {
            case FLOAT -> t.getFloatBuffer().get(out);
            case FLOAT16 -> {
                ShortBuffer s = t.getShortBuffer();
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(s.get(i));
            }
            case DOUBLE -> {
                var d = t.getDoubleBuffer();
                for (int i = 0; i < n; i++) out[i] = (float) d.get(i);
            }
            default -> throw notACaptioner("returns an output of element type " + info.type + " where floats were expected");
        }
        return new Tensor.Floats(shape, out);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new AtelierException("cannot close the captioner's " + role + ": " + e.getMessage(), e);
        }
    }
}
