package dev.atelier.diffusion.onnx;

/** A session input: Java data converted per run, or a {@link PreparedInput} kept in native memory across runs. */
public sealed interface Feed permits Tensor, PreparedInput {}
