package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.diffusion.onnx.TensorSpec;
import java.util.Arrays;

/** The UNet's {@code timestep} input, shaped as the model declares it. */
final class TimestepFeed {
    private TimestepFeed() {}

    /** A scalar, [1] (even for a batch of 2, as optimum exports often do) or [batch]. */
    static Tensor of(TensorSpec spec, double timestep, int batch) {
        if (spec.rank() == 0) return Tensor.of(new float[] {(float) timestep});
        int length = spec.isFixed(0) ? (int) spec.dim(0) : batch;
        float[] values = new float[length];
        Arrays.fill(values, (float) timestep);
        return Tensor.of(values, length);
    }
}
