package dev.atelier.vision.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level BPE tokenizer read from a Hugging Face {@code tokenizer.json} ({@code model.vocab},
 * {@code model.merges} as {@code "a b"} strings or {@code ["a","b"]} pairs, {@code added_tokens}). Encodes as the
 * {@code tokenizers} library does (added tokens cut out verbatim, GPT-2's pre-tokenizing pattern, merges by rank)
 * and decodes ids back to UTF-8 text. Immutable and thread-safe.
 */
public final class Gpt2Tokenizer {

    public static final String FILE = "tokenizer.json";

    /** GPT-2's pre-tokenizer: contractions, letters, digits, other symbols, each with at most one leading space. */
    private static final Pattern PIECES = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final int CACHE_LIMIT = 50_000;

    /** A token added to the vocabulary as a whole: matched verbatim, never split. */
    public record AddedToken(int id, String content, boolean special) {}

    private final Map<String, Integer> vocab;
    private final String[] tokenOfId;
    private final Map<String, Integer> mergeRanks;
    private final Map<Integer, AddedToken> addedById;
    /** Added tokens longest first, so that one that contains another wins. */
    private final List<AddedToken> addedLongestFirst;
    private final boolean addPrefixSpace;
    private final boolean cleanUpSpaces;
    private final Map<String, List<Integer>> cache = new ConcurrentHashMap<>();

    public Gpt2Tokenizer(Map<String, Integer> vocab, List<String[]> merges, List<AddedToken> added,
                         boolean addPrefixSpace, boolean cleanUpSpaces) {
        this.vocab = Map.copyOf(vocab);
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) ranks.putIfAbsent(pairKey(merges.get(i)[0], merges.get(i)[1]), i);
        this.mergeRanks = Map.copyOf(ranks);
        Map<Integer, AddedToken> byId = new HashMap<>();
        for (AddedToken t : added) byId.put(t.id(), t);
        this.addedById = Map.copyOf(byId);
        List<AddedToken> sorted = new ArrayList<>(added);
        sorted.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
        this.addedLongestFirst = List.copyOf(sorted);
        int maxId = -1;
        for (int id : vocab.values()) maxId = Math.max(maxId, id);
        for (AddedToken t : added) maxId = Math.max(maxId, t.id());
        this.tokenOfId = new String[maxId + 1];
        vocab.forEach((token, id) -> tokenOfId[id] = token);
        for (AddedToken t : added) tokenOfId[t.id()] = t.content();
        this.addPrefixSpace = addPrefixSpace;
        this.cleanUpSpaces = cleanUpSpaces;
    }

    /**
     * Reads {@code tokenizer.json} from {@code dir}, and {@code clean_up_tokenization_spaces} from
     * {@code tokenizer_config.json} beside it when present.
     */
    public static Gpt2Tokenizer load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new AtelierException("no " + FILE + " in " + dir + ": the captioning model needs its tokenizer;"
                    + " download the whole model folder");
        }
        ObjectMapper json = new ObjectMapper();
        try {
            JsonNode root = json.readTree(file.toFile());
            JsonNode model = root.path("model");
            if (!model.path("vocab").isObject() || !model.path("merges").isArray()) {
                throw new AtelierException(file + " is not a byte-level BPE tokenizer (it has no model.vocab and"
                        + " model.merges); this captioner needs a GPT-2 style tokenizer.json");
            }
            Map<String, Integer> vocab = new HashMap<>();
            model.path("vocab").properties().forEach(e -> vocab.put(e.getKey(), e.getValue().asInt()));
            List<String[]> merges = new ArrayList<>();
            for (JsonNode m : model.path("merges")) {
                if (m.isArray() && m.size() == 2) {
                    merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
                } else if (m.isTextual()) {
                    String s = m.asText();
                    int space = s.indexOf(' ', 1); // a merge's first symbol is never empty
                    if (space < 0) throw new AtelierException(file + " has a malformed merge \"" + s + "\"");
                    merges.add(new String[] {s.substring(0, space), s.substring(space + 1)});
                } else {
                    throw new AtelierException(file + " has a malformed merge " + m);
                }
            }
            List<AddedToken> added = new ArrayList<>();
            for (JsonNode t : root.path("added_tokens")) {
                added.add(new AddedToken(t.path("id").asInt(), t.path("content").asText(), t.path("special").asBoolean(false)));
            }
            boolean prefixSpace = findBoolean(root.path("pre_tokenizer"), "add_prefix_space").orElse(false);
            boolean cleanUp = false;
            Path config = dir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(config)) {
                cleanUp = json.readTree(config.toFile()).path("clean_up_tokenization_spaces").asBoolean(false);
            }
            return new Gpt2Tokenizer(vocab, merges, added, prefixSpace, cleanUp);
        } catch (IOException e) {
            throw new AtelierException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A boolean field of a pre-tokenizer, also inside a {@code Sequence} of pre-tokenizers. */
    private static Optional<Boolean> findBoolean(JsonNode node, String field) {
        if (node.has(field)) return Optional.of(node.get(field).asBoolean());
        for (JsonNode child : node.path("pretokenizers")) {
            Optional<Boolean> found = findBoolean(child, field);
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    public int vocabularySize() { return tokenOfId.length; }

    /** The id of a token of the vocabulary or an added token. */
    public Optional<Integer> id(String token) {
        Integer id = vocab.get(token);
        if (id != null) return Optional.of(id);
        for (AddedToken t : addedLongestFirst) if (t.content().equals(token)) return Optional.of(t.id());
        return Optional.empty();
    }

    /** The token an id stands for (in the byte-level alphabet), or empty when no token has that id. */
    public Optional<String> token(int id) {
        return id >= 0 && id < tokenOfId.length ? Optional.ofNullable(tokenOfId[id]) : Optional.empty();
    }

    public boolean isSpecial(int id) {
        AddedToken t = addedById.get(id);
        return t != null && t.special();
    }

    /** Token ids of {@code text}, with no start or end tokens added. */
    public List<Integer> encode(String text) {
        List<Integer> ids = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int bestAt = text.length();
            AddedToken best = null;
            for (AddedToken t : addedLongestFirst) {
                int at = text.indexOf(t.content(), start);
                if (at >= 0 && at < bestAt) {
                    bestAt = at;
                    best = t;
                }
            }
            encodeOrdinary(text.substring(start, bestAt), ids);
            if (best == null) break;
            ids.add(best.id());
            start = bestAt + best.content().length();
        }
        return ids;
    }

    private void encodeOrdinary(String text, List<Integer> ids) {
        if (text.isEmpty()) return;
        if (addPrefixSpace && !text.startsWith(" ")) text = " " + text;
        Matcher m = PIECES.matcher(text);
        while (m.find()) ids.addAll(cache.computeIfAbsent(ByteLevel.encode(m.group()), this::bpe));
    }

    private List<Integer> bpe(String piece) {
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < piece.length(); ) {
            int cp = piece.codePointAt(i);
            symbols.add(new String(Character.toChars(cp)));
            i += Character.charCount(cp);
        }
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            int bestAt = -1;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = mergeRanks.get(pairKey(symbols.get(i), symbols.get(i + 1)));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    bestAt = i;
                }
            }
            if (bestAt < 0) break;
            symbols.set(bestAt, symbols.get(bestAt) + symbols.remove(bestAt + 1));
        }
        List<Integer> out = new ArrayList<>(symbols.size());
        for (String s : symbols) {
            Integer id = vocab.get(s);
            if (id == null) {
                throw new AtelierException("the tokenizer has no token for \"" + s + "\"; its tokenizer.json lacks"
                        + " byte symbols and is not a GPT-2 style byte-level vocabulary");
            }
            out.add(id);
        }
        if (cache.size() > CACHE_LIMIT) cache.clear();
        return List.copyOf(out);
    }

    private static String pairKey(String a, String b) { return a + '\u0000' + b; }

    /**
     * Text of token ids: the tokens' bytes joined and read as UTF-8 (so a character split across tokens comes out
     * whole), special tokens left out when {@code skipSpecial}, and spaces before punctuation cleaned up when the
     * tokenizer's configuration asks for it. Unknown ids are an error.
     */
    public String decode(List<Integer> ids, boolean skipSpecial) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            AddedToken added = addedById.get(id);
            if (added != null) {
                if (added.special() && skipSpecial) continue;
                bytes.writeBytes(added.content().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                continue;
            }
            String token = token(id).orElseThrow(() -> new AtelierException("token id " + id + " is outside the"
                    + " tokenizer's vocabulary of " + tokenOfId.length + "; the model and its tokenizer.json do not match"));
            ByteLevel.appendBytes(token, bytes);
        }
        String text = ByteLevel.utf8(bytes.toByteArray());
        return cleanUpSpaces ? cleanUp(text) : text;
    }

    /** Hugging Face's clean-up of tokenization spaces: no space before punctuation and English contractions. */
    static String cleanUp(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }
}
