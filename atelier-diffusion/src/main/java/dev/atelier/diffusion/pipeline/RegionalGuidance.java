package dev.atelier.diffusion.pipeline;

import java.util.List;

/**
 * Latent-mode regional guidance over the batch [ε_u?, ε_base?, ε_0 … ε_{N−1}]:
 * ε = ε_u + w · [β(ε_base − ε_u) + (1 − β) Σ_r M_r ⊙ (ε_r − ε_u)]. The hard masks sum to 1 in every pixel, so this is
 * plain CFG (and its rescale) around the composed conditional ε_c = β ε_base + (1 − β) Σ_r M_r ε_r; without guidance
 * ε is ε_c itself.
 */
final class RegionalGuidance implements Guidance {
    private final List<Entry> entries;
    private final int[] regionOf;
    private final int regions;
    private final double baseRatio;
    private final boolean unconditional;
    private final double scale;
    private final double rescale;
    /** [ε_u ‖ ε_c], reused step after step. */
    private float[] both = new float[0];

    /**
     * @param entries   [uncond?, base?, region 0 … N−1], of one chunk count
     * @param baseRatio 0 means no base prediction is in the batch
     */
    RegionalGuidance(List<Entry> entries, RegionMasks masks, double baseRatio, boolean unconditional, double scale,
                     double rescale) {
        this.entries = List.copyOf(entries);
        this.regionOf = masks.cells();
        this.regions = masks.regionCount();
        this.baseRatio = baseRatio;
        this.unconditional = unconditional;
        this.scale = scale;
        this.rescale = rescale;
    }

    @Override
    public List<Entry> entries() { return entries; }

    @Override
    public void combineInto(float[] predictions, int sampleLength, float[] guided) {
        int n = sampleLength;
        int base = unconditional ? n : 0;
        int firstRegion = base + (baseRatio > 0 ? n : 0);
        if (predictions.length < firstRegion + regions * n) {
            throw new IllegalStateException(predictions.length + " predicted values for " + regions + " regions of " + n);
        }
        if (both.length != 2 * n) both = new float[2 * n];
        int plane = regionOf.length;
        float beta = (float) baseRatio;
        // [ε_u ‖ ε_c] so that CFG and its rescale are exactly those of a plain generation
        if (unconditional) System.arraycopy(predictions, 0, both, 0, n);
        for (int channel = 0; channel * plane < n; channel++) {
            int offset = channel * plane;
            for (int p = 0; p < plane; p++) {
                int i = offset + p;
                float region = predictions[firstRegion + regionOf[p] * n + i];
                both[n + i] = beta > 0 ? beta * predictions[base + i] + (1 - beta) * region : region;
            }
        }
        if (!unconditional) System.arraycopy(both, n, guided, 0, n);
        else Guidance.combineBatched(both, 0, n, scale, rescale, guided);
    }
}
