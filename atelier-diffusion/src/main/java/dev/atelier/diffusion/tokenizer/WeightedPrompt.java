package dev.atelier.diffusion.tokenizer;

import java.util.List;

/**
 * A prompt encoded in chunks of the tokenizer's max length (start, up to 75 tokens, end, padding), with one emphasis
 * weight per position (1.0 at start, end and padding). There is always at least one chunk.
 */
public record WeightedPrompt(List<int[]> chunks, List<float[]> weights) {

    public WeightedPrompt {
        if (chunks.isEmpty() || chunks.size() != weights.size()) {
            throw new IllegalArgumentException("need at least one chunk and one weight array per chunk");
        }
        chunks = List.copyOf(chunks);
        weights = List.copyOf(weights);
    }

    public int chunkCount() { return chunks.size(); }

    /** True when some position has a weight other than 1, i.e. embeddings need {@link PromptWeighting}. */
    public boolean hasEmphasis() {
        for (float[] w : weights) {
            for (float x : w) if (x != 1.0f) return true;
        }
        return false;
    }

    /** All chunks' ids back to back (chunkCount × maxLength), as fed to a text encoder batch. */
    public int[] concatenatedIds() {
        int length = chunks.getFirst().length;
        int[] all = new int[chunks.size() * length];
        for (int i = 0; i < chunks.size(); i++) System.arraycopy(chunks.get(i), 0, all, i * length, length);
        return all;
    }
}
