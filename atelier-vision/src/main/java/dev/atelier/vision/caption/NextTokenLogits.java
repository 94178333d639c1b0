package dev.atelier.vision.caption;

/**
 * A decoder seen from the search: the logits of the next token of each of a batch of sequences.
 */
public interface NextTokenLogits {

    /**
     * @param sequences tokens so far, one row per beam, all of the same length, starting with the start token
     * @param parents   for each row, which row of the previous call it extends (so cached state can follow its
     *                  beam); null on the first call
     * @return logits [row][vocabulary]
     */
    float[][] next(long[][] sequences, int[] parents);
}
