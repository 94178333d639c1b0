package dev.atelier.diffusion.pipeline;

/** Classifier-free guidance and its rescale (Lin et al., as diffusers' {@code guidance_rescale}). */
final class Guidance {
    private Guidance() {}

    /**
     * ε = ε_u + w(ε_c − ε_u); with rescale φ > 0, ε ← φ·ε·std(ε_c)/std(ε) + (1 − φ)·ε (std over the whole
     * sample, with Bessel's correction as torch computes it).
     */
    static float[] combine(float[] uncond, float[] cond, double scale, double rescale) {
        int n = cond.length;
        float[] out = new float[n];
        float w = (float) scale;
        for (int i = 0; i < n; i++) out[i] = uncond[i] + w * (cond[i] - uncond[i]);
        if (rescale > 0) {
            double ratio = std(cond) / std(out);
            if (Double.isFinite(ratio)) {
                float factor = (float) (rescale * ratio + (1 - rescale));
                for (int i = 0; i < n; i++) out[i] *= factor;
            }
        }
        return out;
    }

    static double std(float[] values) {
        double mean = 0;
        for (float v : values) mean += v;
        mean /= values.length;
        double sq = 0;
        for (float v : values) sq += (v - mean) * (v - mean);
        return Math.sqrt(sq / Math.max(1, values.length - 1));
    }
}
