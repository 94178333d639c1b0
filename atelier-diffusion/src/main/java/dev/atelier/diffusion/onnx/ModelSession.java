package dev.atelier.diffusion.onnx;

import dev.atelier.core.AtelierException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One loaded model (text encoder, UNet, VAE…) behind a narrow seam: what it declares, and runs with plain Java
 * tensors. Implementations convert feeds to the declared element types and outputs back to float32, and count
 * the time spent inside runs. Not thread-safe: one run at a time.
 */
public interface ModelSession extends AutoCloseable {

    /** The component's name for messages, e.g. {@code unet}. */
    String name();

    List<TensorSpec> inputs();

    List<TensorSpec> outputs();

    default Optional<TensorSpec> input(String name) {
        return inputs().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    default Optional<TensorSpec> output(String name) {
        return outputs().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The declared input, or a user-facing error naming what the model has instead. */
    default TensorSpec requireInput(String name) {
        return input(name).orElseThrow(() -> new AtelierException(name() + " has no input named '" + name
                + "' (it declares " + inputs() + "); this model is not a Stable Diffusion export of the expected kind"));
    }

    default TensorSpec requireOutput(String name) {
        return output(name).orElseThrow(() -> new AtelierException(name() + " has no output named '" + name
                + "' (it declares " + outputs() + "); this model is not a Stable Diffusion export of the expected kind"));
    }

    /** Converts once and keeps in native memory; feed the result to {@link #run} any number of times. */
    PreparedInput prepare(String inputName, Tensor tensor);

    /**
     * Binds native buffers for repeated runs: {@code writable} inputs and {@code outputs} with these shapes, and
     * {@code fixed} inputs prepared by this session. Every input the model declares must be in one of the two maps.
     *
     * @throws AtelierException when a shape does not fit the model's declaration
     */
    default BoundRun bind(Map<String, long[]> writable, Map<String, PreparedInput> fixed, Map<String, long[]> outputs) {
        return new ArrayBoundRun(this, writable, fixed, outputs);
    }

    /** Runs the model and returns every output as float32. */
    default Map<String, Tensor.Floats> run(Map<String, ? extends Feed> feeds) {
        return run(feeds, Set.of());
    }

    /** Runs the model and returns the requested outputs (all when {@code outputs} is empty) as float32. */
    Map<String, Tensor.Floats> run(Map<String, ? extends Feed> feeds, Set<String> outputs);

    /** Total nanoseconds spent inside the runtime's run calls of this session so far. */
    long nanosInRuns();

    @Override
    void close();
}
