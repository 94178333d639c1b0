package dev.atelier.testkit.diffusion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny CLIP-style byte-level BPE vocabulary: the 256 byte symbols (in CLIP's byte-to-unicode order, so
 * {@code "!"} is id 0 as in the real vocabulary), the same with {@code </w>}, merges that make each given word
 * one token, then {@code <|startoftext|>} and {@code <|endoftext|>}. Written as Hugging Face's
 * {@code vocab.json} + {@code merges.txt} + tokenizer configs.
 */
public final class ToyVocabulary {
    public static final String BOS = "<|startoftext|>";
    public static final String EOS = "<|endoftext|>";

    private final Map<String, Integer> vocab = new LinkedHashMap<>();
    private final List<String[]> merges = new ArrayList<>();

    /** A vocabulary in which each of {@code words} (lower-case letters) encodes to a single token. */
    public ToyVocabulary(List<String> words) {
        List<String> base = byteSymbols();
        for (String s : base) vocab.put(s, vocab.size());
        for (String s : base) vocab.put(s + "</w>", vocab.size());
        for (String word : words) {
            // Append merges (each with the lowest priority so far) until the word is one symbol; earlier words
            // are already single symbols, so their tokenization cannot change.
            while (true) {
                List<String> symbols = bpe(word);
                if (symbols.size() == 1) break;
                String[] pair = {symbols.get(0), symbols.get(1)};
                merges.add(pair);
                vocab.putIfAbsent(pair[0] + pair[1], vocab.size());
            }
        }
        vocab.put(BOS, vocab.size());
        vocab.put(EOS, vocab.size());
    }

    public int size() { return vocab.size(); }

    public int bosId() { return vocab.get(BOS); }

    public int eosId() { return vocab.get(EOS); }

    /** The id of a word that was given to the constructor (its single {@code word</w>} token). */
    public int wordId(String word) {
        Integer id = vocab.get(word + "</w>");
        if (id == null) throw new IllegalArgumentException("not a word of this vocabulary: " + word);
        return id;
    }

    public Map<String, Integer> vocab() { return Map.copyOf(vocab); }

    /** Writes vocab.json, merges.txt, tokenizer_config.json and special_tokens_map.json into {@code dir}. */
    public void writeTo(Path dir, String padToken) throws IOException {
        Files.createDirectories(dir);
        StringBuilder json = new StringBuilder("{");
        for (var e : vocab.entrySet()) {
            if (json.length() > 1) json.append(',');
            json.append(Json.quote(e.getKey())).append(':').append(e.getValue());
        }
        json.append('}');
        Files.writeString(dir.resolve("vocab.json"), json, StandardCharsets.UTF_8);
        StringBuilder m = new StringBuilder("#version: 0.2\n");
        for (String[] pair : merges) m.append(pair[0]).append(' ').append(pair[1]).append('\n');
        Files.writeString(dir.resolve("merges.txt"), m, StandardCharsets.UTF_8);
        String special = "{\"bos_token\":" + Json.quote(BOS) + ",\"eos_token\":" + Json.quote(EOS)
                + ",\"unk_token\":" + Json.quote(EOS) + ",\"pad_token\":" + Json.quote(padToken) + "}";
        Files.writeString(dir.resolve("special_tokens_map.json"), special, StandardCharsets.UTF_8);
        String config = "{\"tokenizer_class\":\"CLIPTokenizer\",\"model_max_length\":77,\"do_lower_case\":true,"
                + "\"bos_token\":" + Json.quote(BOS) + ",\"eos_token\":" + Json.quote(EOS)
                + ",\"unk_token\":" + Json.quote(EOS) + ",\"pad_token\":" + Json.quote(padToken) + "}";
        Files.writeString(dir.resolve("tokenizer_config.json"), config, StandardCharsets.UTF_8);
    }

    /** Byte-pair merges by rank over one lower-case ASCII word, the last symbol carrying {@code </w>}. */
    private List<String> bpe(String word) {
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < word.length(); i++) {
            String c = String.valueOf(word.charAt(i));
            symbols.add(i == word.length() - 1 ? c + "</w>" : c);
        }
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            int bestAt = -1;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                int rank = rank(symbols.get(i), symbols.get(i + 1));
                if (rank < bestRank) {
                    bestRank = rank;
                    bestAt = i;
                }
            }
            if (bestAt < 0) break;
            symbols.set(bestAt, symbols.get(bestAt) + symbols.remove(bestAt + 1));
        }
        return symbols;
    }

    private int rank(String a, String b) {
        for (int i = 0; i < merges.size(); i++) {
            if (merges.get(i)[0].equals(a) && merges.get(i)[1].equals(b)) return i;
        }
        return Integer.MAX_VALUE;
    }

    /** GPT-2/CLIP's reversible byte → printable character table, in vocabulary order. */
    static List<String> byteSymbols() {
        List<Integer> printable = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) printable.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) printable.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) printable.add(b);
        List<String> out = new ArrayList<>();
        for (int b : printable) out.add(String.valueOf((char) b));
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable.contains(b)) out.add(String.valueOf((char) (256 + n++)));
        }
        return out;
    }
}
