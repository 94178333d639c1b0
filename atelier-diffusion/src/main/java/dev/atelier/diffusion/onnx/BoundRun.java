package dev.atelier.diffusion.onnx;

/**
 * Runs of one model whose inputs and outputs are bound once to native buffers of fixed shapes: the caller rewrites
 * the changing inputs in place, runs, and reads the outputs, with nothing allocated per run (ONNX Runtime's Java API
 * has no IO binding; this is its equivalent over pre-allocated tensors and pinned outputs). Inputs given as
 * {@link PreparedInput}s at binding stay as they are. Close it when done; the session must outlive it.
 */
public interface BoundRun extends AutoCloseable {

    /** The writable input {@code name}, bound at creation. */
    InputBuffer input(String name);

    /** The output {@code name}, bound at creation. */
    OutputBuffer output(String name);

    /** Runs the model on the buffers' current contents; the outputs' buffers then hold the results. */
    void run();

    @Override
    void close();

    /** An input's native buffer; values are converted to the model's element type as they are written. */
    interface InputBuffer {
        /** Writes {@code length} values from {@code values[from…]} at element {@code at}. */
        void put(int at, float[] values, int from, int length);

        /** Sets every element to {@code value} (integer inputs truncate, as numpy's astype does). */
        void fill(float value);

        int size();
    }

    /** An output's native buffer, read back as float32. */
    interface OutputBuffer {
        /** Reads {@code length} values from element {@code at} into {@code dest[destFrom…]}. */
        void get(int at, float[] dest, int destFrom, int length);

        int size();
    }
}
