package dev.atelier.diffusion.pipeline;

import java.util.List;

/**
 * How one denoising step's UNet batch is made up and how its predictions combine into the noise prediction the
 * scheduler steps with: the guidance names the batch entries it needs, the pipeline runs them, the guidance
 * combines. Classifier-free, InstructPix2Pix's three-way and regional latent-mode guidance are implementations;
 * a new way of guiding is one more. The static methods are the classifier-free formula they share.
 */
interface Guidance {

    /**
     * One entry of the UNet batch: its text conditioning, and whether the kind's extra conditioning (image latents,
     * mask) applies; InstructPix2Pix's unconditional entry runs without it.
     */
    record Entry(PromptEncoder.Encoded text, boolean conditioned) {
        static Entry of(PromptEncoder.Encoded text) { return new Entry(text, true); }
    }

    /** The batch entries, in the order {@link #combineInto} reads their predictions. */
    List<Entry> entries();

    /**
     * Writes the guided prediction ({@code sampleLength} values) into {@code guided} from the batch's predictions
     * [entry 0 ‖ entry 1 ‖ …]. Called every step with the same arrays; keeps no reference to them.
     */
    void combineInto(float[] predictions, int sampleLength, float[] guided);

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
        combineBatched(both, 0, n, scale, rescale, out);
        return out;
    }

    /** As {@link #combineBatched(float[], double, double)} over [uncond ‖ cond] at {@code from}, into {@code out}. */
    static void combineBatched(float[] predictions, int from, int n, double scale, double rescale, float[] out) {
        float w = (float) scale;
        for (int i = 0; i < n; i++) {
            float uncond = predictions[from + i];
            out[i] = uncond + w * (predictions[from + n + i] - uncond);
        }
        if (rescale > 0) {
            double ratio = std(predictions, from + n, n) / std(out, 0, n);
            if (Double.isFinite(ratio)) {
                float factor = (float) (rescale * ratio + (1 - rescale));
                for (int i = 0; i < n; i++) out[i] *= factor;
            }
        }
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
