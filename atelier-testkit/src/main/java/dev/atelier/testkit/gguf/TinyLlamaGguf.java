package dev.atelier.testkit.gguf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny llama-architecture GGUF model with random weights, for tests of the in-process llama.cpp backend.
 * Its SentencePiece-style vocabulary holds the usual control tokens, ChatML markers, all 256 byte-fallback
 * tokens and the printable ASCII characters, so any text tokenizes; its metadata carries a ChatML chat template.
 * The output is gibberish (printable ASCII, since the output layer steers away from non-ASCII byte tokens, whose
 * random combinations would not be valid UTF-8), but a grammar turns it into valid structure.
 *
 * <pre>{@code
 * Path gguf = TinyLlamaGguf.defaults().withSeed(7).writeTo(tempDir.resolve("tiny.gguf"));
 * }</pre>
 *
 * @param layers        transformer blocks
 * @param embedding     hidden size; a multiple of {@code heads}
 * @param heads         attention heads
 * @param kvHeads       key/value heads (grouped-query attention when fewer than {@code heads})
 * @param feedForward   hidden size of the SwiGLU feed-forward block
 * @param contextLength the training context length announced in the metadata
 * @param weightScale   standard deviation of the random weights; larger gives sharper (less uniform) sampling
 * @param seed          seed of the random weights
 */
public record TinyLlamaGguf(int layers, int embedding, int heads, int kvHeads, int feedForward, int contextLength,
                            float weightScale, long seed) {

    public static final String CHATML_TEMPLATE =
            "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>'"
            + " + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public static final int UNK_ID = 0;
    public static final int BOS_ID = 1;
    public static final int EOS_ID = 2;
    public static final int IM_START_ID = 3;
    public static final int IM_END_ID = 4;
    /** Id of the byte-fallback token {@code <0x00>}; byte b has id {@code FIRST_BYTE_ID + b}. */
    public static final int FIRST_BYTE_ID = 5;

    private static final int TYPE_NORMAL = 1;
    private static final int TYPE_UNKNOWN = 2;
    private static final int TYPE_CONTROL = 3;
    private static final int TYPE_BYTE = 6;
    private static final String SPM_SPACE = "\u2581";
    private static final float BIAS_INPUT = 8f;
    private static final float NON_ASCII_PENALTY = 20f;
    private static final float WHITESPACE_PENALTY = 1f;
    /** Blocks add small updates to the residual stream, so the embedding's bias input survives to the output. */
    private static final float RESIDUAL_SCALE = 0.02f;

    public TinyLlamaGguf {
        if (embedding % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("embedding must be a multiple of heads, heads a multiple of kvHeads");
        }
    }

    /** Two layers, width 64, four heads (two for keys/values): loads and generates in milliseconds. */
    public static TinyLlamaGguf defaults() { return new TinyLlamaGguf(2, 64, 4, 2, 128, 2048, 0.5f, 1L); }

    public TinyLlamaGguf withSeed(long newSeed) {
        return new TinyLlamaGguf(layers, embedding, heads, kvHeads, feedForward, contextLength, weightScale, newSeed);
    }

    public TinyLlamaGguf withLayers(int newLayers) {
        return new TinyLlamaGguf(newLayers, embedding, heads, kvHeads, feedForward, contextLength, weightScale, seed);
    }

    /** The vocabulary, in id order. */
    public static List<String> vocabulary() {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"));
        for (int b = 0; b < 256; b++) tokens.add(String.format("<0x%02X>", b));
        tokens.add(SPM_SPACE);
        for (char c = '!'; c <= '~'; c++) tokens.add(String.valueOf(c));
        return tokens;
    }

    /** Writes the model to {@code file} and returns it. */
    public Path writeTo(Path file) throws IOException {
        List<String> tokens = vocabulary();
        int vocab = tokens.size();
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            types[i] = i == UNK_ID ? TYPE_UNKNOWN : i < FIRST_BYTE_ID ? TYPE_CONTROL : i < FIRST_BYTE_ID + 256 ? TYPE_BYTE : TYPE_NORMAL;
            scores[i] = types[i] == TYPE_NORMAL ? -(i - (FIRST_BYTE_ID + 256)) : 0f;
        }
        int headDim = embedding / heads;
        int kvWidth = headDim * kvHeads;

        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "atelier-tiny-llama-" + seed)
                .putUint32("general.alignment", GgufWriter.ALIGNMENT)
                .putUint32("llama.context_length", contextLength)
                .putUint32("llama.embedding_length", embedding)
                .putUint32("llama.block_count", layers)
                .putUint32("llama.feed_forward_length", feedForward)
                .putUint32("llama.rope.dimension_count", headDim)
                .putUint32("llama.attention.head_count", heads)
                .putUint32("llama.attention.head_count_kv", kvHeads)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putFloat32("llama.rope.freq_base", 10000f)
                .putUint32("llama.vocab_size", vocab)
                .putString("tokenizer.ggml.model", "llama")
                .putStrings("tokenizer.ggml.tokens", tokens)
                .putFloats("tokenizer.ggml.scores", scores)
                .putInts("tokenizer.ggml.token_type", types)
                .putUint32("tokenizer.ggml.unknown_token_id", UNK_ID)
                .putUint32("tokenizer.ggml.bos_token_id", BOS_ID)
                .putUint32("tokenizer.ggml.eos_token_id", EOS_ID)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false)
                .putString("tokenizer.chat_template", CHATML_TEMPLATE);

        Random random = new Random(seed);
        // Dimension 0 of every embedding is a large constant, so after normalisation it acts as a bias input:
        // the output rows of non-ASCII byte tokens (and of tokens no answer contains) weigh it negatively, keeping
        // the gibberish valid UTF-8; whitespace is made rare too, so grammar-shaped JSON stays compact and quick.
        float[] embeddings = gaussian(random, embedding * vocab, weightScale);
        for (int t = 0; t < vocab; t++) embeddings[t * embedding] = BIAS_INPUT;
        float[] output = gaussian(random, embedding * vocab, weightScale);
        for (int t = 0; t < vocab; t++) {
            boolean highByte = types[t] == TYPE_BYTE && t - FIRST_BYTE_ID >= 0x80;
            boolean neverOutput = t == UNK_ID || t == BOS_ID || t == IM_START_ID;
            output[t * embedding] = highByte || neverOutput ? -NON_ASCII_PENALTY : isWhitespace(tokens.get(t)) ? -WHITESPACE_PENALTY : 0f;
        }
        w.tensor("token_embd.weight", new long[] {embedding, vocab}, embeddings);
        w.tensor("output_norm.weight", new long[] {embedding}, ones(embedding));
        w.tensor("output.weight", new long[] {embedding, vocab}, output);
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            w.tensor(p + "attn_norm.weight", new long[] {embedding}, ones(embedding));
            w.tensor(p + "attn_q.weight", new long[] {embedding, embedding}, gaussian(random, embedding * embedding, weightScale));
            w.tensor(p + "attn_k.weight", new long[] {embedding, kvWidth}, gaussian(random, embedding * kvWidth, weightScale));
            w.tensor(p + "attn_v.weight", new long[] {embedding, kvWidth}, gaussian(random, embedding * kvWidth, weightScale));
            w.tensor(p + "attn_output.weight", new long[] {embedding, embedding}, gaussian(random, embedding * embedding, RESIDUAL_SCALE));
            w.tensor(p + "ffn_norm.weight", new long[] {embedding}, ones(embedding));
            w.tensor(p + "ffn_gate.weight", new long[] {embedding, feedForward}, gaussian(random, embedding * feedForward, weightScale));
            w.tensor(p + "ffn_up.weight", new long[] {embedding, feedForward}, gaussian(random, embedding * feedForward, weightScale));
            w.tensor(p + "ffn_down.weight", new long[] {feedForward, embedding}, gaussian(random, feedForward * embedding, RESIDUAL_SCALE));
        }
        w.write(file);
        return file;
    }

    private static boolean isWhitespace(String token) {
        return token.equals(SPM_SPACE) || token.equals("<0x20>") || token.equals("<0x09>") || token.equals("<0x0A>") || token.equals("<0x0D>");
    }

    private static float[] gaussian(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (random.nextGaussian() * scale);
        return a;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }
}
