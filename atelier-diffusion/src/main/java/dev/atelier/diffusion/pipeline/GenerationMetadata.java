package dev.atelier.diffusion.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.PngFiles;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What Atelier writes beside the pixels of a PNG: A1111's {@code parameters} text (read by most image tools) and the
 * full request as JSON under {@value #REQUEST_KEY}, from which {@link #readRequest} restores it for a replay.
 */
public final class GenerationMetadata {
    public static final String PARAMETERS_KEY = "parameters";
    public static final String REQUEST_KEY = "atelier-request";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private GenerationMetadata() {}

    /** The PNG text chunks for one image; {@code request} is that image's own (batch 1, its seed). */
    public static Map<String, String> pngText(GenerationRequest request, String modelName) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put(PARAMETERS_KEY, a1111Parameters(request, modelName));
        text.put(REQUEST_KEY, toJson(request));
        return text;
    }

    /** A1111's three-line convention: prompt, {@code Negative prompt: …}, then {@code Key: value} pairs. */
    public static String a1111Parameters(GenerationRequest r, String modelName) {
        StringBuilder b = new StringBuilder(r.prompt());
        if (!r.negativePrompt().isBlank()) b.append("\nNegative prompt: ").append(r.negativePrompt());
        b.append("\nSteps: ").append(r.steps());
        if (r.scheduler() != null) b.append(", Sampler: ").append(samplerName(r.scheduler()));
        b.append(", CFG scale: ").append(number(r.guidanceScale()));
        b.append(", Seed: ").append(r.seed());
        b.append(", Size: ").append(r.width()).append('x').append(r.height());
        if (modelName != null && !modelName.isBlank()) b.append(", Model: ").append(modelName);
        if (r.isImageToImage()) b.append(", Denoising strength: ").append(number(r.strength()));
        if (r.guidanceRescale() > 0) b.append(", CFG Rescale phi: ").append(number(r.guidanceRescale()));
        return b.toString();
    }

    /** The sampler names A1111 shows. */
    public static String samplerName(SchedulerKind kind) {
        return switch (kind) {
            case DDIM -> "DDIM";
            case EULER -> "Euler";
            case EULER_ANCESTRAL -> "Euler a";
            case DPMPP_2M_KARRAS -> "DPM++ 2M Karras";
            case DPMPP_2M -> "DPM++ 2M";
            case LCM -> "LCM";
        };
    }

    private static String number(double v) {
        if (v == Math.rint(v)) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }

    public static String toJson(GenerationRequest request) {
        try {
            return JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a request always serialises", e);
        }
    }

    public static GenerationRequest fromJson(String json) {
        try {
            return JSON.readValue(json, GenerationRequest.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof AtelierException ae ? ae : e;
            throw new AtelierException("the stored generation request is not valid: " + cause.getMessage(), e);
        }
    }

    /** The request stored in a PNG that Atelier wrote. */
    public static GenerationRequest readRequest(Path png) {
        Map<String, String> text;
        try {
            text = PngFiles.readText(png);
        } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
            throw new AtelierException("cannot replay " + png + ": the file does not exist");
        } catch (IOException e) {
            throw new AtelierException("cannot read " + png + " as a PNG: " + e.getMessage(), e);
        }
        String json = text.get(REQUEST_KEY);
        if (json == null) {
            throw new AtelierException(png + " holds no Atelier generation data (no '" + REQUEST_KEY + "' text chunk);"
                    + " only PNGs written by `atelier generate` can be replayed with --from");
        }
        return fromJson(json);
    }
}
