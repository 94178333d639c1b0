package dev.atelier.diffusion.pipeline;

/**
 * When and how the VAE works in tiles (sizes in latent pixels; one latent pixel is 8 image pixels): images whose
 * latent sides both fit {@code untiledMaxSide} go in one piece, larger ones in tiles of {@code tile} overlapping by
 * {@code overlap}, blended with linear ramps, so memory stays bounded by the tile size.
 */
public record VaeTiling(int tile, int overlap, int untiledMaxSide) {
    public VaeTiling {
        if (tile < 1 || overlap < 0 || overlap >= tile || untiledMaxSide < 0) {
            throw new IllegalArgumentException("need tile ≥ 1 and 0 ≤ overlap < tile, got " + tile + "/" + overlap);
        }
    }

    /** Tiles of 64 latents (512 px) overlapping by 16 (128 px) above 1024×1024 images. */
    public static VaeTiling defaults() { return new VaeTiling(64, 16, 128); }

    /** Always tiled (for tests and small machines). */
    public static VaeTiling always(int tile, int overlap) { return new VaeTiling(tile, overlap, 0); }

    /** Never tiled. */
    public static VaeTiling never() { return new VaeTiling(1, 0, Integer.MAX_VALUE); }

    boolean appliesTo(int latentHeight, int latentWidth) {
        return latentHeight > untiledMaxSide || latentWidth > untiledMaxSide;
    }
}
