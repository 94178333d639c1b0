package dev.atelier.diffusion.pipeline;

/** Classifier-free guidance and its rescale (Lin et al., as diffusers' {@code guidance_rescale}). */
final class Guidance {
    private Guidance() {}

    /**
     * ε = ε_u + w(ε_c − ε_u); with rescale φ > 0, ε ← φ·ε·std(ε_c)/std(ε) + (1 − φ)·ε (std over the whole
     * sample, with Bessel's correction as torch computes it).
     */
    static float[] combine(float[] uncond, float[] cond, double scale, double rescale) {
        float[] both = new float[2 * cond.length];
        System.arraycopy(uncond, 0, both, 0, uncond.length);
        System.arraycopy(cond, 0, both, cond.length, cond.length);
        return combineBatched(both, scale, rescale);
    }

    /** As {@link #combine} for a batched prediction [uncond ‖ cond] of two equal halves. */
    static float[] combineBatched(float[] both, double scale, double rescale) {
        int n = both.length / 2;
        float[] out = new float[n];
        float w = (float) scale;
        for (int i = 0; i < n; i++) out[i] = both[i] + w * (both[n + i] - both[i]);
        if (rescale > 0) {
            double ratio = std(both, n, n) / std(out, 0, n);
            if (Double.isFinite(ratio)) {
                float factor = (float) (rescale * ratio + (1 - rescale));
                for (int i = 0; i < n; i++) out[i] *= factor;
            }
        }
        return out;
    }

    static double std(float[] values) {
        return std(values, 0, values.length);
    }

    static double std(float[] values, int from, int length) {
        double mean = 0;
        for (int i = from; i < from + length; i++) mean += values[i];
        mean /= length;
        double sq = 0;
        for (int i = from; i < from + length; i++) sq += (values[i] - mean) * (values[i] - mean);
        return Math.sqrt(sq / Math.max(1, length - 1));
    }
}
