package dev.atelier.diffusion.pipeline;

/**
 * Where a generation's time went, in nanoseconds. {@code insideSessions} is the time inside ONNX Runtime run calls
 * of every model ({@code insideUnet} of the UNet alone); the rest of {@code total} is the pipeline's own overhead.
 */
public record Timings(long total, long textEncoding, long denoising, long vae, long insideSessions, long insideUnet,
                      int unetRuns) {

    /** The pipeline's own time per UNet run inside the denoising loop (scheduler math, copies, guidance). */
    public long loopOverheadPerRun() {
        return unetRuns == 0 ? 0 : (denoising - insideUnet) / unetRuns;
    }

    /** (total − inside sessions) / total. */
    public double overhead() {
        return total == 0 ? 0 : (double) (total - insideSessions) / total;
    }
}
