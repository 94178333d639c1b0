package dev.atelier.llm;

import java.util.List;

/**
 * Sampling options; a null field means "the backend's default".
 *
 * @param jsonSchema when set, the answer must be one JSON value valid for this schema (as JSON text)
 */
public record ChatOptions(Double temperature, Double topP, Integer maxTokens, Long seed, List<String> stop,
                          String jsonSchema) {

    public static final ChatOptions DEFAULTS = new ChatOptions(null, null, null, null, List.of(), null);

    public ChatOptions {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    public ChatOptions withTemperature(double t) { return new ChatOptions(t, topP, maxTokens, seed, stop, jsonSchema); }
    public ChatOptions withMaxTokens(int n) { return new ChatOptions(temperature, topP, n, seed, stop, jsonSchema); }
    public ChatOptions withSeed(long s) { return new ChatOptions(temperature, topP, maxTokens, s, stop, jsonSchema); }
    public ChatOptions withJsonSchema(String schema) { return new ChatOptions(temperature, topP, maxTokens, seed, stop, schema); }
    public ChatOptions withTopP(double p) { return new ChatOptions(temperature, p, maxTokens, seed, stop, jsonSchema); }
    public ChatOptions withStop(List<String> stops) { return new ChatOptions(temperature, topP, maxTokens, seed, stops, jsonSchema); }
}
