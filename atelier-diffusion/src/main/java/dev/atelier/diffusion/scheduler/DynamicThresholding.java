package dev.atelier.diffusion.scheduler;

import java.util.Arrays;

/**
 * Dynamic thresholding of the predicted clean sample (Saharia et al. 2022, as diffusers' {@code _threshold_sample}):
 * per batch entry, s is the {@code ratio} quantile of |x̂₀| clamped to [1, {@code maxValue}]; x̂₀ is clipped to
 * [−s, s] and divided by s.
 */
final class DynamicThresholding {
    private DynamicThresholding() {}

    /** Thresholds {@code x0} in place, treating it as {@code batches} equal entries. */
    static void apply(double[] x0, int batches, double ratio, double maxValue) {
        if (batches < 1 || x0.length % batches != 0) {
            throw new IllegalArgumentException(x0.length + " values do not split into " + batches + " batch entries");
        }
        int per = x0.length / batches;
        double[] magnitudes = new double[per];
        for (int b = 0; b < batches; b++) {
            int from = b * per;
            for (int k = 0; k < per; k++) magnitudes[k] = (float) Math.abs(x0[from + k]);
            Arrays.sort(magnitudes);
            // torch.quantile's default linear interpolation between the two neighbouring order statistics
            double rank = ratio * (per - 1);
            int below = (int) Math.floor(rank);
            int above = Math.min(below + 1, per - 1);
            double weight = rank - below;
            double quantile = magnitudes[below] + weight * (magnitudes[above] - magnitudes[below]);
            // torch.clamp(min=1, max=maxValue): the upper bound wins when maxValue < 1
            double s = Math.min(Math.max(quantile, 1.0), maxValue);
            for (int k = 0; k < per; k++) x0[from + k] = Math.clamp(x0[from + k], -s, s) / s;
        }
    }
}
