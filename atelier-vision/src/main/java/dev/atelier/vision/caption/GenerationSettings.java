package dev.atelier.vision.caption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a caption is generated, with transformers' meanings: the decoder starts from {@code decoderStartId}; a
 * sequence ends at one of {@code eosIds} or when it holds {@code maxLength} tokens counting the start token;
 * {@code numBeams} 1 is greedy decoding; beam hypotheses are ranked by their summed log-probability divided by
 * (generated tokens)^{@code lengthPenalty}.
 */
public record GenerationSettings(int decoderStartId, int[] eosIds, int maxLength, int numBeams, double lengthPenalty,
                                 EarlyStopping earlyStopping) {

    /** transformers' {@code early_stopping}: true, false (its heuristic) or "never". */
    public enum EarlyStopping { TRUE, HEURISTIC, NEVER }

    /** transformers' defaults where the model's files say nothing. */
    static final int DEFAULT_MAX_LENGTH = 20;

    public GenerationSettings {
        eosIds = eosIds.clone();
        if (maxLength < 2) throw new AtelierException("max length " + maxLength + " leaves no room for a word: use 2 or more");
        if (numBeams < 1) throw new AtelierException("number of beams must be 1 or more, not " + numBeams);
    }

    @Override
    public int[] eosIds() { return eosIds.clone(); }

    public boolean isEos(int token) {
        for (int e : eosIds) if (e == token) return true;
        return false;
    }

    public GenerationSettings withNumBeams(int n) {
        return new GenerationSettings(decoderStartId, eosIds, maxLength, n, lengthPenalty, earlyStopping);
    }

    public GenerationSettings withMaxLength(int n) {
        return new GenerationSettings(decoderStartId, eosIds, n, numBeams, lengthPenalty, earlyStopping);
    }

    public GenerationSettings withLengthPenalty(double p) {
        return new GenerationSettings(decoderStartId, eosIds, maxLength, numBeams, p, earlyStopping);
    }

    public GenerationSettings withEarlyStopping(EarlyStopping e) {
        return new GenerationSettings(decoderStartId, eosIds, maxLength, numBeams, lengthPenalty, e);
    }

    /**
     * Reads {@code generation_config.json}, falling back field by field to {@code config.json} (its top level, then
     * its {@code decoder} section) and then to transformers' defaults.
     */
    public static GenerationSettings read(Path modelDir) {
        JsonNode generation = readJson(modelDir.resolve("generation_config.json"));
        JsonNode config = readJson(modelDir.resolve("config.json"));
        List<JsonNode> sources = List.of(generation, config, config.path("decoder"));
        JsonNode start = first(sources, "decoder_start_token_id");
        if (start == null) start = first(sources, "bos_token_id");
        JsonNode eos = first(sources, "eos_token_id");
        if (start == null || eos == null) {
            throw new AtelierException(modelDir + " does not say which tokens start and end a caption (no"
                    + " decoder_start_token_id or eos_token_id in generation_config.json or config.json);"
                    + " download the model's config files too");
        }
        List<Integer> eosIds = new ArrayList<>();
        if (eos.isArray()) eos.forEach(e -> eosIds.add(e.asInt()));
        else eosIds.add(eos.asInt());
        int maxLength = DEFAULT_MAX_LENGTH;
        JsonNode maxNew = generation.get("max_new_tokens");
        JsonNode max = generation.get("max_length");
        if (maxNew != null && maxNew.isNumber()) maxLength = 1 + maxNew.asInt();
        else if (max != null && max.isNumber()) maxLength = max.asInt();
        else if (generation.isMissingNode() && config.path("max_length").isNumber()) maxLength = config.path("max_length").asInt();
        int beams = intField(generation, config, "num_beams", 1);
        double penalty = generation.has("length_penalty") ? generation.get("length_penalty").asDouble()
                : generation.isMissingNode() && config.has("length_penalty") ? config.get("length_penalty").asDouble() : 1.0;
        JsonNode early = generation.has("early_stopping") ? generation.get("early_stopping")
                : generation.isMissingNode() ? config.get("early_stopping") : null;
        EarlyStopping stopping = early == null ? EarlyStopping.HEURISTIC
                : early.isTextual() && early.asText().equals("never") ? EarlyStopping.NEVER
                : early.asBoolean(false) ? EarlyStopping.TRUE : EarlyStopping.HEURISTIC;
        return new GenerationSettings(start.asInt(), eosIds.stream().mapToInt(Integer::intValue).toArray(), maxLength,
                beams, penalty, stopping);
    }

    /** A generation field: generation_config.json wins; config.json counts only when there is none (as transformers). */
    private static int intField(JsonNode generation, JsonNode config, String field, int fallback) {
        if (generation.has(field)) return generation.get(field).asInt(fallback);
        if (generation.isMissingNode() && config.has(field)) return config.get(field).asInt(fallback);
        return fallback;
    }

    private static JsonNode first(List<JsonNode> sources, String field) {
        for (JsonNode s : sources) {
            JsonNode v = s.get(field);
            if (v != null && !v.isNull()) return v;
        }
        return null;
    }

    static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new AtelierException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
