package dev.atelier.diffusion.onnx;

import dev.atelier.core.AtelierException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link BoundRun} over any {@link ModelSession}'s plain {@link ModelSession#run}: Java arrays converted on every run.
 * For sessions without native buffers of their own (test doubles); ONNX Runtime sessions bind natively.
 */
final class ArrayBoundRun implements BoundRun {
    private final ModelSession session;
    private final Map<String, Feed> feeds = new HashMap<>();
    private final Map<String, float[]> inputs = new HashMap<>();
    private final Map<String, long[]> outputShapes;
    private final Map<String, float[]> outputs = new HashMap<>();

    ArrayBoundRun(ModelSession session, Map<String, long[]> writable, Map<String, PreparedInput> fixed,
                  Map<String, long[]> outputs) {
        this.session = session;
        this.outputShapes = Map.copyOf(outputs);
        feeds.putAll(fixed);
        writable.forEach((name, shape) -> {
            float[] data = new float[Math.toIntExact(Tensor.elements(shape))];
            inputs.put(name, data);
            feeds.put(name, Tensor.of(data, shape.clone()));
        });
        outputs.forEach((name, shape) -> this.outputs.put(name, new float[Math.toIntExact(Tensor.elements(shape))]));
    }

    @Override
    public InputBuffer input(String name) {
        float[] data = inputs.get(name);
        if (data == null) throw new IllegalArgumentException(name + " is not a writable input of this binding");
        return new InputBuffer() {
            @Override public void put(int at, float[] values, int from, int length) { System.arraycopy(values, from, data, at, length); }
            @Override public void fill(float value) { Arrays.fill(data, value); }
            @Override public int size() { return data.length; }
        };
    }

    @Override
    public OutputBuffer output(String name) {
        if (!outputs.containsKey(name)) throw new IllegalArgumentException(name + " is not a bound output");
        return new OutputBuffer() {
            @Override public void get(int at, float[] dest, int destFrom, int length) { System.arraycopy(outputs.get(name), at, dest, destFrom, length); }
            @Override public int size() { return outputs.get(name).length; }
        };
    }

    @Override
    public void run() {
        Map<String, Tensor.Floats> results = session.run(feeds, outputShapes.keySet());
        for (String name : outputShapes.keySet()) {
            Tensor.Floats result = results.get(name);
            if (result == null || result.data().length != outputs.get(name).length) {
                throw new AtelierException(session.name() + " returned " + (result == null ? "no" : result.data().length)
                        + " values for output '" + name + "' where " + outputs.get(name).length + " were expected");
            }
            outputs.put(name, result.data());
        }
    }

    @Override
    public void close() {
        feeds.clear(); // prepared inputs belong to the caller
    }
}
