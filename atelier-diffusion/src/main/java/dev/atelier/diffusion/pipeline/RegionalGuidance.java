package dev.atelier.diffusion.pipeline;

/**
 * Latent-mode guidance over predictions [ε_u?, ε_base?, ε_0 … ε_{N−1}]:
 * ε = ε_u + w · [β(ε_base − ε_u) + (1 − β) Σ_r M_r ⊙ (ε_r − ε_u)]. The hard masks sum to 1 in every pixel, so this is
 * plain CFG (and its rescale) around the composed conditional ε_c = β ε_base + (1 − β) Σ_r M_r ε_r; without guidance
 * ε is ε_c itself.
 */
final class RegionalGuidance {
    private final int[] regionOf;
    private final int regions;
    private final double baseRatio;
    private final boolean unconditional;
    private final double scale;
    private final double rescale;

    /** {@code baseRatio} 0 means no base prediction is in the batch. */
    RegionalGuidance(RegionMasks masks, double baseRatio, boolean unconditional, double scale, double rescale) {
        this.regionOf = masks.cells();
        this.regions = masks.regionCount();
        this.baseRatio = baseRatio;
        this.unconditional = unconditional;
        this.scale = scale;
        this.rescale = rescale;
    }

    float[] combine(float[] predictions, int sampleLength) {
        int n = sampleLength;
        int base = unconditional ? n : 0;
        int firstRegion = base + (baseRatio > 0 ? n : 0);
        if (predictions.length != firstRegion + regions * n) {
            throw new IllegalStateException(predictions.length + " predicted values for " + regions + " regions of " + n);
        }
        int plane = regionOf.length;
        float beta = (float) baseRatio;
        // [ε_u ‖ ε_c] so that CFG and its rescale are exactly those of a plain generation
        float[] both = new float[2 * n];
        if (unconditional) System.arraycopy(predictions, 0, both, 0, n);
        for (int channel = 0; channel * plane < n; channel++) {
            int offset = channel * plane;
            for (int p = 0; p < plane; p++) {
                int i = offset + p;
                float region = predictions[firstRegion + regionOf[p] * n + i];
                both[n + i] = beta > 0 ? beta * predictions[base + i] + (1 - beta) * region : region;
            }
        }
        if (!unconditional) return java.util.Arrays.copyOfRange(both, n, 2 * n);
        return Guidance.combineBatched(both, scale, rescale);
    }
}
