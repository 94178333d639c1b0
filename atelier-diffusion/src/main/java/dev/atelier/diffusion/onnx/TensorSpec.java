package dev.atelier.diffusion.onnx;

import java.util.Arrays;

/**
 * A session input or output as the model declares it: name, element type and shape, where a dimension of −1
 * is symbolic (any size). An empty shape with {@code rankKnown == false} means the model declares none.
 */
public record TensorSpec(String name, ElementType type, long[] shape) {

    public TensorSpec {
        shape = shape.clone();
    }

    public int rank() { return shape.length; }

    /** The declared size of dimension {@code i}, or −1 when symbolic. */
    public long dim(int i) { return shape[i]; }

    public boolean isFixed(int i) { return shape[i] >= 0; }

    @Override
    public long[] shape() { return shape.clone(); }

    /** Whether a tensor of this shape fits the declaration (same rank, equal fixed dims). */
    public boolean accepts(long[] actual) {
        if (actual.length != shape.length) return false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && shape[i] != actual[i]) return false;
        }
        return true;
    }

    public String describe() {
        return name + " " + type.name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(shape).replace("-1", "?");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() { return describe(); }
}
