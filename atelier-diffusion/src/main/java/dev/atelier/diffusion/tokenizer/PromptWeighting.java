package dev.atelier.diffusion.tokenizer;

/** A1111's "original" emphasis applied to a text encoder's hidden states. */
public final class PromptWeighting {

    private PromptWeighting() {}

    /**
     * Multiplies each position's vector of {@code hiddenStates} ({@code seqLen × dim}, row-major) by its weight, then
     * rescales the whole chunk so the mean of all its values equals the mean before weighting.
     */
    public static void applyEmphasis(float[] hiddenStates, int seqLen, int dim, float[] weights) {
        applyEmphasis(hiddenStates, 0, seqLen, dim, weights);
    }

    /** As {@link #applyEmphasis(float[], int, int, float[])} for the chunk starting at {@code offset}. */
    public static void applyEmphasis(float[] hiddenStates, int offset, int seqLen, int dim, float[] weights) {
        if (seqLen < 0 || dim < 0 || offset < 0 || (long) offset + (long) seqLen * dim > hiddenStates.length) {
            throw new IllegalArgumentException("hidden states of length " + hiddenStates.length
                    + " do not hold " + seqLen + " × " + dim + " values from offset " + offset);
        }
        if (weights.length < seqLen) {
            throw new IllegalArgumentException(weights.length + " weights for a sequence of " + seqLen);
        }
        boolean allOne = true;
        for (int i = 0; i < seqLen; i++) allOne &= weights[i] == 1.0f;
        if (allOne || seqLen * dim == 0) return;

        int end = offset + seqLen * dim;
        double originalSum = 0;
        for (int i = offset; i < end; i++) originalSum += hiddenStates[i];
        double weightedSum = 0;
        for (int t = 0; t < seqLen; t++) {
            float w = weights[t];
            int row = offset + t * dim;
            for (int d = 0; d < dim; d++) {
                float v = hiddenStates[row + d] * w;
                hiddenStates[row + d] = v;
                weightedSum += v;
            }
        }
        // same element count, so the ratio of sums is the ratio of means; a zero mean cannot be restored
        if (weightedSum == 0 || !Double.isFinite(originalSum / weightedSum)) return;
        float scale = (float) (originalSum / weightedSum);
        for (int i = offset; i < end; i++) hiddenStates[i] *= scale;
    }
}
