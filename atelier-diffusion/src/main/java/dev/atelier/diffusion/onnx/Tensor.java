package dev.atelier.diffusion.onnx;

import java.util.Arrays;

/**
 * Plain Java tensor data handed to and received from a {@link ModelSession}. Floating data are float32 on the Java
 * side whatever the model's element type (the session converts to fp16/double/integers as the model declares);
 * integer data are longs (converted to int32/int64 or floats).
 */
public sealed interface Tensor extends Feed permits Tensor.Floats, Tensor.Longs {

    long[] shape();

    /** Number of elements the shape holds. */
    static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    static Floats of(float[] data, long... shape) { return new Floats(shape, data); }

    static Longs ofLongs(long[] data, long... shape) { return new Longs(shape, data); }

    record Floats(long[] shape, float[] data) implements Tensor {
        public Floats {
            if (elements(shape) != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elements(shape)
                        + " values, not " + data.length);
            }
        }
    }

    record Longs(long[] shape, long[] data) implements Tensor {
        public Longs {
            if (elements(shape) != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elements(shape)
                        + " values, not " + data.length);
            }
        }
    }
}
