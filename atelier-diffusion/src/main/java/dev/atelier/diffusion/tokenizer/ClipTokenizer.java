package dev.atelier.diffusion.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer, giving the same ids as Hugging Face's {@code CLIPTokenizer} (the variant used
 * when ftfy is not installed). Immutable and thread-safe.
 *
 * <p>Special tokens (start, end, unknown, padding, and any added tokens of a Hugging Face directory) are cut out of
 * the raw text verbatim before clean-up, as Hugging Face does; note this means that with SD 2.x's pad token "!",
 * a "!" in the prompt becomes id 0 exactly as in Hugging Face.
 */
public final class ClipTokenizer {

    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final int DEFAULT_MAX_LENGTH = 77;

    /** CLIP keeps only the first 49152 − 256 − 2 merges of its merge list. */
    static final int MAX_MERGES = 49152 - 256 - 2;
    private static final String END_OF_WORD = "</w>";
    private static final int CACHE_LIMIT = 100_000;
    /** A1111 moves text after the last comma to the next chunk when that comma is within this many tokens. */
    private static final int COMMA_BACKTRACK = 20;

    private static final Pattern WORD_PATTERN = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    /** Tokens matched verbatim in the raw text before any clean-up, longest first. */
    private final List<Map.Entry<String, Integer>> verbatimTokens;
    private final int bosId;
    private final int eosId;
    private final int unkId;
    private final int padId;
    private final int maxLength;
    private final int commaId;
    private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> vocab, List<String> mergeLines, String bosToken, String eosToken,
                          String unkToken, String padToken, Map<String, Integer> addedTokens, int maxLength) {
        if (maxLength < 2) {
            throw new AtelierException("Tokenizer max length " + maxLength + " is too small: it must hold the start "
                    + "and end tokens. Use the model's model_max_length (77 for Stable Diffusion).");
        }
        Map<String, Integer> allTokens = new HashMap<>(vocab.size() * 2);
        vocab.forEach((token, id) -> {
            if (token != null && id != null) allTokens.put(token, id);
        });
        addedTokens.forEach(allTokens::putIfAbsent);
        this.vocab = Map.copyOf(allTokens);
        this.mergeRanks = rankMerges(mergeLines);
        this.bosId = requireToken(bosToken, "start");
        this.eosId = requireToken(eosToken, "end");
        this.unkId = this.vocab.getOrDefault(unkToken, eosId);
        this.padId = requireToken(padToken, "padding");
        this.maxLength = maxLength;
        this.commaId = this.vocab.getOrDefault("," + END_OF_WORD, -1);

        Map<String, Integer> verbatim = new LinkedHashMap<>(addedTokens);
        for (String special : new String[] {bosToken, eosToken, unkToken, padToken}) {
            Integer id = this.vocab.get(special);
            if (id != null && !special.isEmpty()) verbatim.putIfAbsent(special, id);
        }
        List<Map.Entry<String, Integer>> ordered = new ArrayList<>(verbatim.entrySet());
        ordered.removeIf(e -> e.getKey().isEmpty());
        ordered.sort((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
        this.verbatimTokens = List.copyOf(ordered);
    }

    /** A tokenizer from its ready state, as {@link CompactTokenizerFile} stores it (no parsing, no ranking). */
    ClipTokenizer(Map<String, Integer> vocab, Map<String, Integer> mergeRanks, List<Map.Entry<String, Integer>> verbatimTokens,
                  int bosId, int eosId, int unkId, int padId, int maxLength) {
        this.vocab = Collections.unmodifiableMap(vocab);
        this.mergeRanks = Collections.unmodifiableMap(mergeRanks);
        this.verbatimTokens = List.copyOf(verbatimTokens);
        this.bosId = bosId;
        this.eosId = eosId;
        this.unkId = unkId;
        this.padId = padId;
        this.maxLength = maxLength;
        this.commaId = this.vocab.getOrDefault("," + END_OF_WORD, -1);
    }

    Map<String, Integer> vocabulary() { return vocab; }
    Map<String, Integer> mergeRanks() { return mergeRanks; }
    List<Map.Entry<String, Integer>> verbatimTokens() { return verbatimTokens; }
    int unkId() { return unkId; }

    // ---------------------------------------------------------------- loaders

    /**
     * Loads a Hugging Face tokenizer directory: {@code vocab.json} and {@code merges.txt}, with the special tokens
     * and {@code model_max_length} from {@code tokenizer_config.json} and {@code special_tokens_map.json} when present
     * (the latter wins, as in Hugging Face). Defaults: pad = end token, max length 77.
     */
    public static ClipTokenizer fromHuggingFaceDir(Path tokenizerDir) {
        return CompactTokenizerFile.loadCached(tokenizerDir);
    }

    /** As {@link #fromHuggingFaceDir}, always parsing the JSON and text files (no compact cache). */
    static ClipTokenizer parseHuggingFaceDir(Path tokenizerDir) {
        Path vocabFile = requireFile(tokenizerDir, "vocab.json");
        Path mergesFile = requireFile(tokenizerDir, "merges.txt");
        ObjectMapper json = new ObjectMapper();
        Map<String, Integer> vocab;
        try {
            vocab = json.readValue(vocabFile.toFile(), new TypeReference<LinkedHashMap<String, Integer>>() {});
        } catch (IOException | RuntimeException e) {
            throw new AtelierException("Cannot read the tokenizer vocabulary " + vocabFile + ": " + e.getMessage()
                    + ". Re-download the model's tokenizer folder.", e);
        }
        List<String> mergeLines = readMergeLines(mergesFile);

        JsonNode config = readOptionalJson(json, tokenizerDir.resolve("tokenizer_config.json"));
        JsonNode specialMap = readOptionalJson(json, tokenizerDir.resolve("special_tokens_map.json"));
        String bos = specialToken(specialMap, config, "bos_token", START_OF_TEXT);
        String eos = specialToken(specialMap, config, "eos_token", END_OF_TEXT);
        String unk = specialToken(specialMap, config, "unk_token", END_OF_TEXT);
        String pad = specialToken(specialMap, config, "pad_token", END_OF_TEXT);
        int maxLength = DEFAULT_MAX_LENGTH;
        if (config != null && config.path("model_max_length").isNumber()) {
            double configured = config.path("model_max_length").asDouble();
            // Hugging Face writes 1e30 when a tokenizer has no limit; SD's text encoders take 77.
            if (configured >= 2 && configured <= 100_000) maxLength = (int) configured;
        }
        Map<String, Integer> added = new LinkedHashMap<>();
        if (config != null && config.path("added_tokens_decoder").isObject()) {
            for (Map.Entry<String, JsonNode> entry : config.path("added_tokens_decoder").properties()) {
                String content = tokenContent(entry.getValue());
                try {
                    if (content != null) added.put(content, Integer.parseInt(entry.getKey()));
                } catch (NumberFormatException ignored) {
                    // not an id: nothing a tokenizer can use
                }
            }
        }
        JsonNode addedFile = readOptionalJson(json, tokenizerDir.resolve("added_tokens.json"));
        if (addedFile != null && addedFile.isObject()) {
            for (Map.Entry<String, JsonNode> e : addedFile.properties()) {
                if (e.getValue().canConvertToInt()) added.putIfAbsent(e.getKey(), e.getValue().asInt());
            }
        }
        return new ClipTokenizer(vocab, mergeLines, bos, eos, unk, pad, added, maxLength);
    }

    /**
     * Loads OpenAI's original {@code bpe_simple_vocab_16e6.txt.gz}: the vocabulary is the 256 byte symbols, the same
     * with {@code </w>}, the joined merges, then the start and end tokens. {@code padTokenId} is 49407 for SD 1.x and
     * 0 ("!") for SD 2.x.
     */
    public static ClipTokenizer fromBpeVocabulary(Path bpeSimpleVocabGz, int padTokenId) {
        List<String> mergeLines = new ArrayList<>();
        // only the first lines are used, so stop reading there (the file holds 262k merges)
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(bpeSimpleVocabGz), 1 << 16), StandardCharsets.UTF_8))) {
            in.readLine(); // the "#version" header
            String line;
            while (mergeLines.size() < MAX_MERGES && (line = in.readLine()) != null) mergeLines.add(line);
        } catch (IOException e) {
            throw new AtelierException("Cannot read the CLIP BPE vocabulary " + bpeSimpleVocabGz + ": "
                    + e.getMessage() + ". Point to a valid bpe_simple_vocab_16e6.txt.gz.", e);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < 256; i++) vocab.put(ByteLevelAlphabet.baseSymbol(i), vocab.size());
        for (int i = 0; i < 256; i++) vocab.put(ByteLevelAlphabet.baseSymbol(i) + END_OF_WORD, vocab.size());
        int nextId = 512;
        for (String line : mergeLines) {
            // every merge line takes an id, as in CLIP's list; a repeated entry keeps its last id like a Python dict
            vocab.put(String.join("", line.trim().split("\\s+")), nextId++);
        }
        vocab.put(START_OF_TEXT, nextId++);
        vocab.put(END_OF_TEXT, nextId);
        String padToken = null;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (e.getValue() == padTokenId) padToken = e.getKey();
        }
        if (padToken == null) {
            throw new AtelierException("Pad token id " + padTokenId + " is outside the CLIP vocabulary (0.."
                    + (vocab.size() - 1) + "). Use 49407 for SD 1.x or 0 for SD 2.x.");
        }
        return new ClipTokenizer(vocab, mergeLines, START_OF_TEXT, END_OF_TEXT, END_OF_TEXT, padToken, Map.of(),
                DEFAULT_MAX_LENGTH);
    }

    /**
     * An in-memory tokenizer, for toy pipelines. {@code merges} are "first second" lines in rank order (a leading
     * "#version" line is skipped); the vocabulary must hold {@code <|startoftext|>}, {@code <|endoftext|>} and
     * {@code padToken}. Symbols missing from a tiny vocabulary become the end token, as Hugging Face's unknown token
     * does.
     */
    public static ClipTokenizer of(Map<String, Integer> vocab, List<String> merges, String padToken, int maxLength) {
        List<String> mergeLines = !merges.isEmpty() && merges.getFirst().startsWith("#version")
                ? merges.subList(1, merges.size()) : merges;
        return new ClipTokenizer(vocab, mergeLines, START_OF_TEXT, END_OF_TEXT, END_OF_TEXT, padToken, Map.of(),
                maxLength);
    }

    // ---------------------------------------------------------------- encoding

    /** The ids of {@code text} without start and end tokens, neither truncated nor padded. */
    public int[] encode(String text) {
        if (text == null || text.isEmpty()) return new int[0];
        IntList ids = new IntList(text.length() / 3 + 4);
        int segmentStart = 0;
        int pos = 0;
        while (pos < text.length()) {
            Map.Entry<String, Integer> special = verbatimTokenAt(text, pos);
            if (special == null) {
                pos++;
                continue;
            }
            encodePlainText(text.substring(segmentStart, pos), ids);
            ids.add(special.getValue());
            pos += special.getKey().length();
            segmentStart = pos;
        }
        encodePlainText(text.substring(segmentStart), ids);
        return ids.toArray();
    }

    /**
     * Start token, up to {@code maxLength − 2} ids of {@code text} (the rest is cut off, as Hugging Face's
     * truncation does), end token, then the pad token up to {@code maxLength}.
     */
    public int[] encodePadded(String text) {
        int[] ids = encode(text);
        int kept = Math.min(ids.length, maxLength - 2);
        int[] out = new int[maxLength];
        Arrays.fill(out, padId);
        out[0] = bosId;
        System.arraycopy(ids, 0, out, 1, kept);
        out[kept + 1] = eosId;
        return out;
    }

    /**
     * Parses A1111 emphasis ({@code (word)}, {@code [word]}, {@code (word:1.3)}, {@code \(}, {@code BREAK}) and encodes
     * the prompt in chunks of {@code maxLength} ids: start, up to {@code maxLength − 2} tokens, end, padding. Like
     * A1111, a full chunk is cut after its last comma when that comma is among the last 20 tokens.
     */
    public WeightedPrompt encodeWeighted(String prompt) {
        int chunkLength = maxLength - 2;
        List<int[]> chunkIds = new ArrayList<>();
        List<float[]> chunkWeights = new ArrayList<>();
        IntList tokens = new IntList(chunkLength);
        List<Float> weights = new ArrayList<>(chunkLength);
        int lastComma = -1;

        for (PromptAttention.Segment segment : PromptAttention.parse(prompt == null ? "" : prompt)) {
            if (segment.isBreak()) {
                closeChunk(tokens, weights, chunkIds, chunkWeights);
                lastComma = -1;
                continue;
            }
            float weight = (float) segment.weight();
            for (int token : encode(segment.text())) {
                if (token == commaId) {
                    lastComma = tokens.size();
                } else if (tokens.size() == chunkLength && lastComma != -1
                        && tokens.size() - lastComma <= COMMA_BACKTRACK) {
                    int breakAt = lastComma + 1;
                    int[] moved = tokens.tail(breakAt);
                    List<Float> movedWeights = new ArrayList<>(weights.subList(breakAt, weights.size()));
                    tokens.truncate(breakAt);
                    weights.subList(breakAt, weights.size()).clear();
                    closeChunk(tokens, weights, chunkIds, chunkWeights);
                    lastComma = -1;
                    for (int m : moved) tokens.add(m);
                    weights.addAll(movedWeights);
                }
                if (tokens.size() == chunkLength) {
                    closeChunk(tokens, weights, chunkIds, chunkWeights);
                    lastComma = -1;
                }
                tokens.add(token);
                weights.add(weight);
            }
        }
        if (tokens.size() > 0 || chunkIds.isEmpty()) closeChunk(tokens, weights, chunkIds, chunkWeights);
        return new WeightedPrompt(chunkIds, chunkWeights);
    }

    private void closeChunk(IntList tokens, List<Float> weights, List<int[]> chunkIds, List<float[]> chunkWeights) {
        int[] ids = new int[maxLength];
        float[] w = new float[maxLength];
        Arrays.fill(ids, padId);
        Arrays.fill(w, 1.0f);
        ids[0] = bosId;
        for (int i = 0; i < tokens.size(); i++) {
            ids[i + 1] = tokens.get(i);
            w[i + 1] = weights.get(i);
        }
        ids[tokens.size() + 1] = eosId;
        chunkIds.add(ids);
        chunkWeights.add(w);
        tokens.truncate(0);
        weights.clear();
    }

    public int bosId() { return bosId; }

    public int eosId() { return eosId; }

    public int padId() { return padId; }

    public int maxLength() { return maxLength; }

    /** Number of entries in the vocabulary (49408 for CLIP), added tokens included. */
    public int vocabSize() { return vocab.size(); }

    /** The id of a vocabulary entry such as {@code "cat</w>"}, or -1 when absent. */
    public int tokenId(String token) { return vocab.getOrDefault(token, -1); }

    // ---------------------------------------------------------------- internals

    private Map.Entry<String, Integer> verbatimTokenAt(String text, int pos) {
        for (Map.Entry<String, Integer> token : verbatimTokens) {
            if (text.startsWith(token.getKey(), pos)) return token;
        }
        return null;
    }

    private void encodePlainText(String text, IntList out) {
        if (text.isEmpty()) return;
        String cleaned = TextCleaner.clean(text);
        Matcher words = WORD_PATTERN.matcher(cleaned);
        while (words.find()) {
            String word = words.group();
            int[] ids = wordCache.get(word);
            if (ids == null) {
                ids = bpeIds(word);
                if (wordCache.size() >= CACHE_LIMIT) wordCache.clear();
                wordCache.put(word, ids);
            }
            out.addAll(ids);
        }
    }

    private int[] bpeIds(String word) {
        if (word.equals(START_OF_TEXT) || word.equals(END_OF_TEXT)) {
            return new int[] {vocab.getOrDefault(word, unkId)};
        }
        String encoded = ByteLevelAlphabet.encode(word);
        List<String> symbols = new ArrayList<>(encoded.length());
        for (int i = 0; i < encoded.length() - 1; i++) symbols.add(String.valueOf(encoded.charAt(i)));
        symbols.add(encoded.charAt(encoded.length() - 1) + END_OF_WORD);

        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            int bestAt = -1;
            for (int i = 0; i < symbols.size() - 1; i++) {
                Integer rank = mergeRanks.get(symbols.get(i) + ' ' + symbols.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    bestAt = i;
                }
            }
            if (bestAt < 0) break;
            String first = symbols.get(bestAt);
            String second = symbols.get(bestAt + 1);
            List<String> merged = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i < symbols.size() - 1 && symbols.get(i).equals(first) && symbols.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols = merged;
        }
        int[] ids = new int[symbols.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocab.getOrDefault(symbols.get(i), unkId);
        return ids;
    }

    private static Map<String, Integer> rankMerges(List<String> mergeLines) {
        Map<String, Integer> ranks = new HashMap<>(mergeLines.size() * 2);
        for (int rank = 0; rank < mergeLines.size(); rank++) {
            String[] pair = mergeLines.get(rank).trim().split("\\s+");
            if (pair.length == 2) ranks.putIfAbsent(pair[0] + ' ' + pair[1], rank);
        }
        return Collections.unmodifiableMap(ranks);
    }

    private int requireToken(String token, String role) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new AtelierException("The tokenizer vocabulary has no " + role + " token \"" + token
                    + "\". Add it to the vocabulary (CLIP uses <|startoftext|> and <|endoftext|>).");
        }
        return id;
    }

    private static List<String> readMergeLines(Path mergesFile) {
        String text;
        try {
            text = Files.readString(mergesFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new AtelierException("Cannot read the tokenizer merges " + mergesFile + ": " + e.getMessage()
                    + ". Re-download the model's tokenizer folder.", e);
        }
        String[] lines = text.split("\n", -1);
        // Hugging Face always drops the first line, the "#version" header; a file without one keeps its first merge.
        int first = lines.length > 0 && lines[0].startsWith("#") ? 1 : 0;
        List<String> merges = new ArrayList<>(Math.min(lines.length, MAX_MERGES));
        for (int i = first; i < lines.length && merges.size() < MAX_MERGES; i++) merges.add(lines[i]);
        return merges;
    }

    private static Path requireFile(Path dir, String name) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new AtelierException("Tokenizer file " + file + " is missing. A Hugging Face tokenizer folder needs "
                    + "vocab.json and merges.txt; re-download the model or point to its tokenizer/ folder.");
        }
        return file;
    }

    private static JsonNode readOptionalJson(ObjectMapper json, Path file) {
        if (!Files.isRegularFile(file)) return null;
        try {
            return json.readTree(file.toFile());
        } catch (IOException e) {
            throw new AtelierException("Cannot parse " + file + ": " + e.getMessage()
                    + ". Fix or delete the file (the tokenizer falls back to CLIP's defaults without it).", e);
        }
    }

    private static String specialToken(JsonNode preferred, JsonNode fallback, String key, String defaultToken) {
        for (JsonNode source : new JsonNode[] {preferred, fallback}) {
            if (source == null) continue;
            String content = tokenContent(source.get(key));
            if (content != null) return content;
        }
        return defaultToken;
    }

    /** A special token is written either as a plain string or as an AddedToken object with "content". */
    private static String tokenContent(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.asText();
        if (node.isObject() && node.path("content").isTextual()) return node.path("content").asText();
        return null;
    }

    /** Growable int array, to avoid boxing on the hot path. */
    private static final class IntList {
        private int[] data;
        private int size;

        IntList(int capacity) { data = new int[Math.max(4, capacity)]; }

        void add(int value) {
            if (size == data.length) data = Arrays.copyOf(data, size * 2);
            data[size++] = value;
        }

        void addAll(int[] values) {
            if (size + values.length > data.length) data = Arrays.copyOf(data, Math.max(size * 2, size + values.length));
            System.arraycopy(values, 0, data, size, values.length);
            size += values.length;
        }

        int get(int i) { return data[i]; }

        int size() { return size; }

        int[] tail(int from) { return Arrays.copyOfRange(data, from, size); }

        void truncate(int newSize) { size = newSize; }

        int[] toArray() { return Arrays.copyOf(data, size); }
    }
}
