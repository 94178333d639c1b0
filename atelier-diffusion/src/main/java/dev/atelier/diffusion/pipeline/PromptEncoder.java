package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.diffusion.onnx.TensorSpec;
import dev.atelier.diffusion.tokenizer.ClipTokenizer;
import dev.atelier.diffusion.tokenizer.PromptWeighting;
import dev.atelier.diffusion.tokenizer.WeightedPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prompt text → the UNet's text conditioning. Each 77-token chunk runs through the text encoder(s), gets A1111
 * emphasis, and chunks are concatenated on the token axis. SD 1.x/2.x use {@code last_hidden_state}; SDXL
 * concatenates both encoders' penultimate hidden states per token and takes the pooled {@code text_embeds} of the
 * second encoder's first chunk.
 */
final class PromptEncoder {

    /** Text states [tokens, dim] and, for SDXL, the pooled embedding. */
    record Encoded(float[] states, int tokens, int dim, float[] pooled) {
        int chunks() { return tokens / ClipTokenizer.DEFAULT_MAX_LENGTH; }

        Encoded zeros() {
            return new Encoded(new float[states.length], tokens, dim, pooled == null ? null : new float[pooled.length]);
        }

        /** This encoding followed by {@code extra} copies of {@code chunk}'s states (A1111 pads the shorter prompt so). */
        Encoded padded(int chunkCount, Encoded emptyChunk) {
            if (chunks() >= chunkCount) return this;
            int chunkValues = emptyChunk.states.length;
            float[] out = new float[chunkCount * chunkValues];
            System.arraycopy(states, 0, out, 0, states.length);
            for (int c = chunks(); c < chunkCount; c++) System.arraycopy(emptyChunk.states, 0, out, c * chunkValues, chunkValues);
            return new Encoded(out, chunkCount * emptyChunk.tokens, dim, pooled);
        }
    }

    private record Encoder(ClipTokenizer tokenizer, ModelSession session, String statesOutput, String pooledOutput,
                           int dim) {}

    private final List<Encoder> encoders = new ArrayList<>();
    private final boolean xl;

    PromptEncoder(ClipTokenizer tokenizer, ModelSession textEncoder, ClipTokenizer tokenizer2, ModelSession textEncoder2) {
        this.xl = textEncoder2 != null;
        if (!xl) {
            String states = textEncoder.output("last_hidden_state").map(TensorSpec::name)
                    .orElseGet(() -> textEncoder.outputs().getFirst().name());
            encoders.add(encoder(tokenizer, textEncoder, states, null));
        } else {
            encoders.add(encoder(tokenizer, textEncoder, penultimate(textEncoder), null));
            String pooled = textEncoder2.output("text_embeds").map(TensorSpec::name).orElseThrow(() -> new AtelierException(
                    "text_encoder_2 of an SDXL pipeline must output 'text_embeds' (it declares " + textEncoder2.outputs()
                            + "); export it with optimum as CLIPTextModelWithProjection"));
            encoders.add(encoder(tokenizer2, textEncoder2, penultimate(textEncoder2), pooled));
        }
    }

    private static Encoder encoder(ClipTokenizer tokenizer, ModelSession session, String states, String pooled) {
        TensorSpec ids = session.requireInput("input_ids");
        if (!ids.type().isInteger()) {
            throw new AtelierException(session.name() + " input 'input_ids' has element type " + ids.type()
                    + "; expected int32 or int64 token ids");
        }
        TensorSpec out = session.requireOutput(states);
        long dim = out.rank() == 3 ? out.dim(2) : -1;
        return new Encoder(tokenizer, session, states, pooled, (int) dim);
    }

    /** The second-to-last of {@code hidden_states.N}, as SDXL conditions on. */
    private static String penultimate(ModelSession session) {
        int max = -1;
        for (TensorSpec s : session.outputs()) {
            if (s.name().startsWith("hidden_states.")) {
                try {
                    max = Math.max(max, Integer.parseInt(s.name().substring("hidden_states.".length())));
                } catch (NumberFormatException ignored) {
                    // not a layer output
                }
            }
        }
        if (max < 1) {
            throw new AtelierException(session.name() + " of an SDXL pipeline must output its hidden states"
                    + " (hidden_states.0 … hidden_states.N) but declares " + session.outputs()
                    + "; export the model with optimum, which adds them");
        }
        return "hidden_states." + (max - 1);
    }

    /** Width of the concatenated states (the UNet's cross-attention dim), −1 if an encoder leaves it symbolic. */
    int stateDim() {
        int sum = 0;
        for (Encoder e : encoders) {
            if (e.dim() < 0) return -1;
            sum += e.dim();
        }
        return sum;
    }

    Encoded encode(String prompt) {
        List<WeightedPrompt> prompts = new ArrayList<>();
        int chunks = 0;
        for (Encoder e : encoders) {
            WeightedPrompt w = e.tokenizer().encodeWeighted(prompt);
            prompts.add(w);
            chunks = Math.max(chunks, w.chunkCount());
        }
        int length = ClipTokenizer.DEFAULT_MAX_LENGTH;
        List<float[]> perEncoder = new ArrayList<>();
        List<Integer> dims = new ArrayList<>();
        float[] pooled = null;
        for (int k = 0; k < encoders.size(); k++) {
            Encoder e = encoders.get(k);
            WeightedPrompt w = prompts.get(k);
            WeightedPrompt empty = w.chunkCount() < chunks ? e.tokenizer().encodeWeighted("") : null;
            float[] all = null;
            int dim = 0;
            for (int c = 0; c < chunks; c++) {
                int[] ids = c < w.chunkCount() ? w.chunks().get(c) : empty.chunks().getFirst();
                float[] weights = c < w.chunkCount() ? w.weights().get(c) : empty.weights().getFirst();
                if (ids.length != length) {
                    throw new AtelierException("the tokenizer of " + e.session().name() + " gives chunks of " + ids.length
                            + " tokens; Atelier supports CLIP's " + length);
                }
                long[] idsLong = new long[length];
                for (int i = 0; i < length; i++) idsLong[i] = ids[i];
                Set<String> wanted = e.pooledOutput() == null ? Set.of(e.statesOutput()) : Set.of(e.statesOutput(), e.pooledOutput());
                Map<String, Tensor.Floats> out = e.session().run(
                        Map.of("input_ids", Tensor.ofLongs(idsLong, 1, length)), wanted);
                Tensor.Floats states = out.get(e.statesOutput());
                dim = (int) states.shape()[2];
                float[] chunkStates = states.data();
                PromptWeighting.applyEmphasis(chunkStates, length, dim, weights);
                if (all == null) all = new float[chunks * length * dim];
                System.arraycopy(chunkStates, 0, all, c * length * dim, length * dim);
                if (c == 0 && e.pooledOutput() != null) pooled = out.get(e.pooledOutput()).data();
            }
            perEncoder.add(all);
            dims.add(dim);
        }
        int tokens = chunks * length;
        if (perEncoder.size() == 1) return new Encoded(perEncoder.getFirst(), tokens, dims.getFirst(), pooled);
        int total = dims.stream().mapToInt(Integer::intValue).sum();
        float[] joined = new float[tokens * total];
        for (int t = 0; t < tokens; t++) {
            int at = t * total;
            for (int k = 0; k < perEncoder.size(); k++) {
                int d = dims.get(k);
                System.arraycopy(perEncoder.get(k), t * d, joined, at, d);
                at += d;
            }
        }
        return new Encoded(joined, tokens, total, pooled);
    }

    boolean isXl() { return xl; }
}
