package dev.atelier.diffusion.pipeline;

/**
 * Where a generation's time went, in nanoseconds. {@code insideSessions} is the time inside ONNX Runtime run calls
 * of every model; the rest of {@code total} is the pipeline's own overhead.
 */
public record Timings(long total, long textEncoding, long denoising, long vae, long insideSessions, int unetRuns) {

    /** (total − inside sessions) / total. */
    public double overhead() {
        return total == 0 ? 0 : (double) (total - insideSessions) / total;
    }
}
