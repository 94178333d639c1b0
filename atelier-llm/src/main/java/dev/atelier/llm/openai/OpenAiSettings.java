package dev.atelier.llm.openai;

import dev.atelier.llm.spec.ModelSpec;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How to talk to an OpenAI-compatible {@code /v1/chat/completions} server.
 *
 * @param baseUrl        API root ending in {@code /v1} (or the provider's equivalent)
 * @param model          model name the server knows
 * @param apiKeyEnv      environment variable holding the API key, null when none is sent; the key is never logged
 * @param connectTimeout TCP connect limit
 * @param readTimeout    limit until the response (headers, or the whole body when not streaming) arrives
 * @param maxRetries     retries of a request that failed with 429, 5xx or a connection error
 * @param initialBackoff first wait between retries when the server gives no Retry-After; doubled each retry
 * @param maxBackoff     the longest wait, Retry-After included
 * @param jsonMode       how a JSON Schema in the options is passed on
 */
public record OpenAiSettings(URI baseUrl, String model, String apiKeyEnv, Duration connectTimeout, Duration readTimeout,
                             int maxRetries, Duration initialBackoff, Duration maxBackoff, JsonMode jsonMode) {

    /** How structured output is requested from the server. */
    public enum JsonMode {
        /** {@code response_format: {type: json_schema}}; falls back to the next modes when the server refuses it. */
        JSON_SCHEMA,
        /** {@code response_format: {type: json_object}} plus the schema in a system instruction. */
        JSON_OBJECT,
        /** The schema in a system instruction only, for servers without response_format. */
        INSTRUCTIONS
    }

    public OpenAiSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(jsonMode, "jsonMode");
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be >= 0");
    }

    public static OpenAiSettings of(URI baseUrl, String model, String apiKeyEnv) {
        return new OpenAiSettings(baseUrl, model, apiKeyEnv, Duration.ofSeconds(10), Duration.ofMinutes(5), 3,
                Duration.ofMillis(500), Duration.ofSeconds(60), JsonMode.JSON_SCHEMA);
    }

    public static OpenAiSettings of(ModelSpec.OpenAi spec) { return of(spec.baseUrl(), spec.model(), spec.apiKeyEnv()); }

    public OpenAiSettings withTimeouts(Duration connect, Duration read) {
        return new OpenAiSettings(baseUrl, model, apiKeyEnv, connect, read, maxRetries, initialBackoff, maxBackoff, jsonMode);
    }

    public OpenAiSettings withRetries(int retries, Duration initial, Duration max) {
        return new OpenAiSettings(baseUrl, model, apiKeyEnv, connectTimeout, readTimeout, retries, initial, max, jsonMode);
    }

    public OpenAiSettings withJsonMode(JsonMode mode) {
        return new OpenAiSettings(baseUrl, model, apiKeyEnv, connectTimeout, readTimeout, maxRetries, initialBackoff, maxBackoff, mode);
    }
}
