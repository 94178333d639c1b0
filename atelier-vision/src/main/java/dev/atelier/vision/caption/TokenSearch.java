package dev.atelier.vision.caption;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decoding and beam search over a {@link NextTokenLogits}, as transformers' {@code generate} does them for
 * encoder-decoder models (no sampling, no logits processors).
 */
public final class TokenSearch {

    private TokenSearch() {}

    /** The generated tokens (without the start token and without the end token). */
    public static List<Integer> generate(NextTokenLogits decoder, GenerationSettings settings) {
        return settings.numBeams() == 1 ? greedy(decoder, settings) : beam(decoder, settings);
    }

    static List<Integer> greedy(NextTokenLogits decoder, GenerationSettings settings) {
        long[] sequence = {settings.decoderStartId()};
        int[] parents = null;
        List<Integer> generated = new ArrayList<>();
        while (sequence.length < settings.maxLength()) {
            float[] logits = decoder.next(new long[][] {sequence}, parents)[0];
            int token = argmax(logits);
            if (settings.isEos(token)) break;
            generated.add(token);
            sequence = Arrays.copyOf(sequence, sequence.length + 1);
            sequence[sequence.length - 1] = token;
            parents = new int[] {0};
        }
        return generated;
    }

    /** The first index of the largest value, as torch's argmax. */
    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private record Candidate(int beam, int token, double score) {}

    private record Finished(long[] tokens, double score) {}

    static List<Integer> beam(NextTokenLogits decoder, GenerationSettings settings) {
        int beams = settings.numBeams();
        long[][] sequences = new long[beams][];
        double[] scores = new double[beams];
        for (int b = 0; b < beams; b++) {
            sequences[b] = new long[] {settings.decoderStartId()};
            scores[b] = b == 0 ? 0 : -1e9; // identical beams: only the first may grow at the first step
        }
        List<Finished> finished = new ArrayList<>();
        int[] parents = null;
        boolean done = false;
        while (!done && sequences[0].length < settings.maxLength()) {
            float[][] logits = decoder.next(sequences, parents);
            List<Candidate> candidates = topCandidates(logits, scores, 2 * beams);
            int length = sequences[0].length; // tokens so far, the start token included
            long[][] nextSequences = new long[beams][];
            double[] nextScores = new double[beams];
            int[] nextParents = new int[beams];
            int filled = 0;
            for (int rank = 0; rank < candidates.size() && filled < beams; rank++) {
                Candidate c = candidates.get(rank);
                if (settings.isEos(c.token())) {
                    // an end only counts among the best num_beams candidates of this step
                    if (rank < beams) addFinished(finished, sequences[c.beam()], c.score(), length, settings);
                    continue;
                }
                long[] grown = Arrays.copyOf(sequences[c.beam()], length + 1);
                grown[length] = c.token();
                nextSequences[filled] = grown;
                nextScores[filled] = c.score();
                nextParents[filled] = c.beam();
                filled++;
            }
            done = isDone(finished, candidates.getFirst().score(), length, settings);
            sequences = nextSequences;
            scores = nextScores;
            parents = nextParents;
        }
        if (!done) {
            for (int b = 0; b < beams; b++) addFinished(finished, sequences[b], scores[b], sequences[b].length - 1, settings);
        }
        Finished best = finished.getFirst();
        for (Finished f : finished) if (f.score() > best.score()) best = f;
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < best.tokens().length; i++) out.add((int) best.tokens()[i]);
        return out;
    }

    /** The best {@code count} (beam, token) continuations by summed log-probability, best first. */
    private static List<Candidate> topCandidates(float[][] logits, double[] beamScores, int count) {
        List<Candidate> all = new ArrayList<>();
        for (int b = 0; b < logits.length; b++) {
            double[] logProbs = logSoftmax(logits[b]);
            // this beam's own best `count` are enough: the overall best cannot hold more of one beam
            int[] order = topIndices(logProbs, count);
            for (int token : order) all.add(new Candidate(b, token, beamScores[b] + logProbs[token]));
        }
        all.sort((x, y) -> {
            int byScore = Double.compare(y.score(), x.score());
            if (byScore != 0) return byScore;
            int byBeam = Integer.compare(x.beam(), y.beam());
            return byBeam != 0 ? byBeam : Integer.compare(x.token(), y.token());
        });
        return all.subList(0, Math.min(count, all.size()));
    }

    /** Indices of the {@code count} largest values, largest first, the lower index first among equals. */
    private static int[] topIndices(double[] values, int count) {
        int k = Math.min(count, values.length);
        int[] best = new int[k];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            if (size == k && values[i] <= values[best[k - 1]]) continue;
            int at = size < k ? size++ : k - 1;
            while (at > 0 && values[best[at - 1]] < values[i]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        return best;
    }

    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double log = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = logits[i] - log;
        return out;
    }

    /** Keeps the best num_beams hypotheses, each scored by log-probability / (generated tokens)^length_penalty. */
    private static void addFinished(List<Finished> finished, long[] tokens, double sumLogProbs, int generated,
                                    GenerationSettings settings) {
        double score = sumLogProbs / Math.pow(generated, settings.lengthPenalty());
        if (finished.size() < settings.numBeams()) {
            finished.add(new Finished(tokens, score));
            return;
        }
        Finished worst = finished.getFirst();
        for (Finished f : finished) if (f.score() < worst.score()) worst = f;
        if (score > worst.score()) {
            finished.remove(worst);
            finished.add(new Finished(tokens, score));
        }
    }

    /** transformers' stopping rule: enough hypotheses, and (unless asked to stop at once) none can beat the worst. */
    private static boolean isDone(List<Finished> finished, double bestRunning, int generated, GenerationSettings settings) {
        if (finished.size() < settings.numBeams()) return false;
        double worst = Double.POSITIVE_INFINITY;
        for (Finished f : finished) worst = Math.min(worst, f.score());
        return switch (settings.earlyStopping()) {
            case TRUE -> true;
            case HEURISTIC -> worst >= bestRunning / Math.pow(generated, settings.lengthPenalty());
            case NEVER -> worst >= bestRunning / Math.pow(settings.lengthPenalty() > 0
                    ? settings.maxLength() - 1 : generated, settings.lengthPenalty());
        };
    }
}
