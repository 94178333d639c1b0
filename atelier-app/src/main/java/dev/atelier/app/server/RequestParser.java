package dev.atelier.app.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns request bodies into generation requests, with the model's defaults for what is left out. The server's limits
 * are tighter than the library's: one request must not hold the only worker for hours.
 */
final class RequestParser {
    static final int MAX_SIDE = 2048;
    static final int MAX_STEPS = 200;
    static final int MAX_BATCH = 8;
    static final int DEFAULT_PREVIEW_EVERY = 5;

    private static final Set<String> GENERATE_FIELDS = Set.of("prompt", "negativePrompt", "steps", "scheduler", "guidance",
            "seed", "width", "height", "batch", "previewEvery", "noise");

    /** A request of {@code POST /api/generate}, and how often its stream carries a preview. */
    record Generate(GenerationRequest request, int previewEvery) {}

    private final RequestDefaults defaults;

    RequestParser(RequestDefaults defaults) {
        this.defaults = defaults;
    }

    /** {@code POST /api/generate}: the fields of {@link GenerationRequest} by their short names; unknown ones are refused. */
    Generate generate(String body) {
        ObjectNode json = object(body);
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!GENERATE_FIELDS.contains(name)) {
                throw ApiException.badRequest("unknown_field", "unknown field \"" + name + "\"; the fields are "
                        + String.join(", ", GENERATE_FIELDS.stream().sorted().toList()));
            }
        }
        String prompt = requiredText(json, "prompt");
        SchedulerKind kind = json.hasNonNull("scheduler") ? scheduler(text(json, "scheduler")) : defaults.scheduler();
        int steps = json.has("steps") ? integer(json, "steps", 1, MAX_STEPS) : defaults.steps(kind);
        double guidance = json.has("guidance") ? number(json, "guidance", 0, 100) : defaults.guidance(kind);
        long seed = json.has("seed") ? seed(json) : ThreadLocalRandom.current().nextLong(1L << 32);
        int width = json.has("width") ? side(json, "width") : defaults.imageSize();
        int height = json.has("height") ? side(json, "height") : defaults.imageSize();
        int batch = json.has("batch") ? integer(json, "batch", 1, MAX_BATCH) : 1;
        int previewEvery = json.has("previewEvery") ? integer(json, "previewEvery", 0, MAX_STEPS) : DEFAULT_PREVIEW_EVERY;
        String negative = json.hasNonNull("negativePrompt") ? text(json, "negativePrompt") : "";
        GenerationRequest request = request(prompt, negative, steps, kind, guidance, seed, width, height, batch);
        if (json.hasNonNull("noise")) request = request.withNoise(noise(text(json, "noise")));
        return new Generate(request, previewEvery);
    }

    /**
     * {@code POST /v1/images/generations}: OpenAI's {prompt, n, size, response_format}; other OpenAI fields (model,
     * quality, style, user) are accepted and ignored, as the loaded model decides them.
     */
    GenerationRequest openAi(String body) {
        ObjectNode json = object(body);
        String prompt = requiredText(json, "prompt");
        int n = json.has("n") && !json.get("n").isNull() ? integer(json, "n", 1, MAX_BATCH) : 1;
        if (json.hasNonNull("response_format") && !"b64_json".equals(text(json, "response_format"))) {
            throw ApiException.badRequest("unsupported_response_format",
                    "response_format must be \"b64_json\": this server keeps no image files to link to");
        }
        int width = defaults.imageSize();
        int height = defaults.imageSize();
        if (json.hasNonNull("size") && !"auto".equals(text(json, "size"))) {
            String size = text(json, "size");
            String[] parts = size.split("x", -1);
            if (parts.length != 2 || !parts[0].matches("\\d{1,5}") || !parts[1].matches("\\d{1,5}")) {
                throw ApiException.badRequest("invalid_size", "size must be WIDTHxHEIGHT, for example \"512x512\"; got \"" + size + "\"");
            }
            width = checkSide("size", Integer.parseInt(parts[0]));
            height = checkSide("size", Integer.parseInt(parts[1]));
        }
        SchedulerKind kind = defaults.scheduler();
        return request(prompt, "", defaults.steps(kind), kind, defaults.guidance(kind),
                ThreadLocalRandom.current().nextLong(1L << 32), width, height, n);
    }

    private static NoiseKind noise(String name) {
        try {
            return NoiseKind.fromCliName(name);
        } catch (AtelierException e) {
            throw ApiException.badRequest("invalid_noise", e.getMessage());
        }
    }

    /** {@code POST /api/plan}: {"prompt": "..."}. */
    String planPrompt(String body) {
        return requiredText(object(body), "prompt");
    }

    private GenerationRequest request(String prompt, String negative, int steps, SchedulerKind kind, double guidance,
                                      long seed, int width, int height, int batch) {
        try {
            return new GenerationRequest(defaults.modelPath(), prompt, negative, steps, kind, guidance, 0, seed, width,
                    height, batch, null, 0.75);
        } catch (AtelierException e) {
            throw ApiException.badRequest("invalid_request", e.getMessage().replace("--", ""));
        }
    }

    static ObjectNode object(String body) {
        if (body == null || body.isBlank()) throw ApiException.badRequest("invalid_json", "the request body is empty; send a JSON object");
        JsonNode node;
        try {
            node = Responses.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid_json", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) throw ApiException.badRequest("invalid_json", "the request body must be a JSON object");
        return object;
    }

    private static String requiredText(ObjectNode json, String field) {
        if (!json.hasNonNull(field)) throw ApiException.badRequest("missing_" + field, "\"" + field + "\" is required");
        String value = text(json, field);
        if (value.isBlank()) throw ApiException.badRequest("missing_" + field, "\"" + field + "\" must not be empty");
        return value;
    }

    private static String text(ObjectNode json, String field) {
        JsonNode node = json.get(field);
        if (!node.isTextual()) throw ApiException.badRequest("invalid_" + field, "\"" + field + "\" must be a string");
        return node.asText();
    }

    private static int integer(ObjectNode json, String field, int min, int max) {
        JsonNode node = json.get(field);
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw ApiException.badRequest("invalid_" + field, "\"" + field + "\" must be a whole number from " + min + " to " + max
                    + ", got " + node);
        }
        return node.asInt();
    }

    private static double number(ObjectNode json, String field, double min, double max) {
        JsonNode node = json.get(field);
        if (!node.isNumber() || !(node.asDouble() >= min && node.asDouble() <= max)) {
            throw ApiException.badRequest("invalid_" + field, "\"" + field + "\" must be a number from " + min + " to " + max + ", got " + node);
        }
        return node.asDouble();
    }

    private static long seed(ObjectNode json) {
        JsonNode node = json.get("seed");
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
            throw ApiException.badRequest("invalid_seed", "\"seed\" must be a whole number of 0 or more, got " + node);
        }
        return node.asLong();
    }

    private static int side(ObjectNode json, String field) {
        JsonNode node = json.get(field);
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw ApiException.badRequest("invalid_" + field, "\"" + field + "\" must be a whole number of pixels, got " + node);
        }
        return checkSide(field, node.asInt());
    }

    private static int checkSide(String field, int pixels) {
        if (pixels < 64 || pixels > MAX_SIDE || pixels % 8 != 0) {
            throw ApiException.badRequest("invalid_size", field + " must be a multiple of 8 from 64 to " + MAX_SIDE
                    + " pixels, got " + pixels);
        }
        return pixels;
    }

    private static SchedulerKind scheduler(String name) {
        try {
            return SchedulerKind.fromCliName(name);
        } catch (AtelierException e) {
            throw ApiException.badRequest("invalid_scheduler", "unknown scheduler \"" + name + "\"; choose one of: "
                    + SchedulerKind.validNames());
        }
    }
}
