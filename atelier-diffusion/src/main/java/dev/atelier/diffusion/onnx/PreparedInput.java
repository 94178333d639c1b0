package dev.atelier.diffusion.onnx;

/**
 * An input already converted to the model's element type and held in native memory, to be fed to many runs
 * without copying again (e.g. text states across all denoising steps). Close it when done.
 */
public non-sealed interface PreparedInput extends Feed, AutoCloseable {
    String inputName();

    @Override
    void close();
}
