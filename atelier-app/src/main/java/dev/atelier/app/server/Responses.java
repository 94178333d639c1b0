package dev.atelier.app.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.PngFiles;
import dev.atelier.diffusion.pipeline.GeneratedImage;
import dev.atelier.diffusion.pipeline.GenerationCancelledException;
import dev.atelier.diffusion.pipeline.GenerationMetadata;
import dev.atelier.diffusion.pipeline.GenerationResult;
import dev.atelier.diffusion.pipeline.StepEvent;
import dev.atelier.diffusion.pipeline.Timings;
import java.awt.image.BufferedImage;
import java.util.Map;

/** The JSON the server answers with: results with base64 PNGs, progress events and errors in OpenAI's shape. */
final class Responses {
    static final ObjectMapper JSON = new ObjectMapper();

    private final String modelName;

    Responses(String modelName) {
        this.modelName = modelName;
    }

    String modelName() { return modelName; }

    byte[] queued(RenderJob job, int ahead) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", job.id());
        node.put("ahead", ahead);
        return bytes(node);
    }

    /** Progress over the whole batch, with a small preview PNG (at the preview's own size) when one is given. */
    byte[] progress(StepEvent event, BufferedImage preview) {
        ObjectNode node = JSON.createObjectNode();
        node.put("step", event.overallStep());
        node.put("total", event.overallSteps());
        node.put("image", event.imageIndex());
        if (preview != null) node.put("preview", PngFiles.encode(preview, Map.of())); // a binary node: base64 once, when written
        return bytes(node);
    }

    /** The job's final answer in its shape; each image is PNG-encoded here once, in memory. */
    byte[] finalAnswer(RenderJob job, GenerationResult result, long queuedNanos) {
        return bytes(switch (job.shape()) {
            case ATELIER -> resultNode(job.id(), result, queuedNanos);
            case OPENAI -> openAiNode(result);
        });
    }

    ObjectNode resultNode(String id, GenerationResult result, long queuedNanos) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("model", modelName);
        ArrayNode images = node.putArray("images");
        ArrayNode seeds = node.putArray("seeds");
        for (GeneratedImage image : result.images()) {
            ObjectNode entry = images.addObject();
            entry.put("png", png(image));
            entry.put("seed", image.seed());
            seeds.add(image.seed());
        }
        Timings t = result.timings();
        ObjectNode timings = node.putObject("timings");
        timings.put("queuedMs", queuedNanos / 1_000_000);
        timings.put("totalMs", t.total() / 1_000_000);
        timings.put("textEncodingMs", t.textEncoding() / 1_000_000);
        timings.put("denoisingMs", t.denoising() / 1_000_000);
        timings.put("vaeMs", t.vae() / 1_000_000);
        node.set("request", readTree(GenerationMetadata.toJson(result.request())));
        return node;
    }

    /** OpenAI's images answer: {created, data: [{b64_json}]}. */
    ObjectNode openAiNode(GenerationResult result) {
        ObjectNode node = JSON.createObjectNode();
        node.put("created", System.currentTimeMillis() / 1000);
        ArrayNode data = node.putArray("data");
        for (GeneratedImage image : result.images()) data.addObject().put("b64_json", png(image));
        return node;
    }

    /** The image as PNG with the generation's text chunks (A1111 parameters and the Atelier request). */
    byte[] png(GeneratedImage image) {
        return PngFiles.encode(image.image(), GenerationMetadata.pngText(image.request(), modelName));
    }

    /** {@code {"error": {"message", "type", "code"}}}, as the OpenAI API answers errors. */
    byte[] error(ApiException e) {
        ObjectNode node = JSON.createObjectNode();
        ObjectNode error = node.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        if (e.code() == null) error.putNull("code");
        else error.put("code", e.code());
        return bytes(node);
    }

    /** What a failure tells the client: user errors say what to do; anything else is an internal error, logged. */
    static ApiException asApiError(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return switch (cause) {
            case ApiException api -> api;
            case QueueFullException full -> new ApiException(429, "server_error", "queue_full", full.getMessage());
            case GenerationCancelledException cancelled -> ApiException.cancelled();
            case AtelierException atelier -> ApiException.badRequest("invalid_request", atelier.getMessage());
            default -> new ApiException(500, "server_error", "internal_error",
                    "the server failed to render this request; see the server log");
        };
    }

    static String write(Object node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON encoding failed", e);
        }
    }

    static byte[] bytes(Object node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON encoding failed", e);
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the request JSON could not be read back", e);
        }
    }
}
