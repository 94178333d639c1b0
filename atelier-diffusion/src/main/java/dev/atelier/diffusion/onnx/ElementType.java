package dev.atelier.diffusion.onnx;

/** Element types a diffusion model's inputs and outputs use; anything else is {@link #OTHER}. */
public enum ElementType {
    FLOAT, FLOAT16, DOUBLE, INT32, INT64, OTHER;

    public boolean isFloating() { return this == FLOAT || this == FLOAT16 || this == DOUBLE; }

    public boolean isInteger() { return this == INT32 || this == INT64; }
}
