package dev.atelier.diffusion.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.PngFiles;
import dev.atelier.diffusion.noise.NoiseKind;
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
        // always name the generator: a stored request without one is read as an image from before torch-cpu
        text.put(REQUEST_KEY, toJson(request.withNoise(request.noiseOrDefault())));
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
            GenerationRequest request = JSON.readValue(json, GenerationRequest.class);
            // requests stored before the noise field existed were rendered with Atelier's first generator
            return request.noise() == null ? request.withNoise(NoiseKind.ATELIER) : request;
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
        if (json != null) return fromJson(json);
        String parameters = text.get(PARAMETERS_KEY);
        if (parameters != null) return parseA1111(parameters);
        throw new AtelierException(png + " holds no generation data (neither an '" + REQUEST_KEY + "' nor a '"
                + PARAMETERS_KEY + "' text chunk); --from replays PNGs written by `atelier generate` or A1111-style tools");
    }

    /**
     * The settings in an A1111-style {@code parameters} text (from Atelier or another tool). The model is not
     * known (null: the caller names it), and images from other tools used another noise generator, so the same
     * seed gives a different picture; prompt, sampler, steps, guidance, seed and size carry over.
     */
    public static GenerationRequest parseA1111(String parameters) {
        String text = parameters.replace("\r\n", "\n").strip();
        int last = text.lastIndexOf('\n');
        String settingsLine = last < 0 ? text : text.substring(last + 1);
        if (!settingsLine.startsWith("Steps: ")) {
            throw new AtelierException("the PNG's 'parameters' text has no 'Steps: …' line, so it holds no generation"
                    + " settings to repeat");
        }
        String head = last < 0 ? "" : text.substring(0, last);
        String prompt = head;
        String negative = "";
        int neg = head.indexOf("Negative prompt: ");
        if (neg >= 0 && (neg == 0 || head.charAt(neg - 1) == '\n')) {
            prompt = head.substring(0, Math.max(0, neg - 1));
            negative = head.substring(neg + "Negative prompt: ".length());
        }
        Map<String, String> values = settings(settingsLine);
        int steps = intValue(values, "Steps", 20);
        SchedulerKind kind = sampler(values.get("Sampler"), values.get("Schedule type"));
        double guidance = doubleValue(values, "CFG scale", 7.5);
        long seed = longValue(values, "Seed", 0);
        int width = 512;
        int height = 512;
        String size = values.get("Size");
        if (size != null && size.matches("\\s*\\d+x\\d+\\s*")) {
            String[] wh = size.trim().split("x");
            width = side(wh[0], size);
            height = side(wh[1], size);
        }
        double rescale = doubleValue(values, "CFG Rescale phi", 0);
        double strength = doubleValue(values, "Denoising strength", 0.75);
        try {
            return new GenerationRequest(null, prompt, negative, steps, kind, guidance, rescale, seed, width, height, 1,
                    null, strength);
        } catch (AtelierException e) {
            throw new AtelierException("the PNG's parameters hold settings Atelier cannot use: " + e.getMessage(), e);
        }
    }

    private static int side(String digits, String size) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new AtelierException("the PNG's parameters give Size '" + size.trim() + "', larger than any image"
                    + " Atelier renders (at most " + GenerationRequest.MAX_SIDE + " a side)");
        }
    }

    /** {@code Key: value, Key: "quoted, value", …} in order. */
    private static Map<String, String> settings(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (i < line.length()) {
            int colon = line.indexOf(": ", i);
            if (colon < 0) break;
            String key = line.substring(i, colon).trim();
            int v = colon + 2;
            String value;
            if (v < line.length() && line.charAt(v) == '"') {
                int close = line.indexOf('"', v + 1);
                if (close < 0) close = line.length();
                value = line.substring(v + 1, close);
                int comma = line.indexOf(", ", close);
                i = comma < 0 ? line.length() : comma + 2;
            } else {
                int comma = line.indexOf(", ", v);
                value = line.substring(v, comma < 0 ? line.length() : comma);
                i = comma < 0 ? line.length() : comma + 2;
            }
            out.put(key, value);
        }
        return out;
    }

    private static int intValue(Map<String, String> values, String key, int fallback) {
        try {
            return values.containsKey(key) ? Integer.parseInt(values.get(key).trim()) : fallback;
        } catch (NumberFormatException e) {
            throw new AtelierException("the PNG's parameters give " + key + " '" + values.get(key) + "', not a whole number");
        }
    }

    private static long longValue(Map<String, String> values, String key, long fallback) {
        try {
            return values.containsKey(key) ? Long.parseLong(values.get(key).trim()) : fallback;
        } catch (NumberFormatException e) {
            throw new AtelierException("the PNG's parameters give " + key + " '" + values.get(key) + "', not a whole number");
        }
    }

    private static double doubleValue(Map<String, String> values, String key, double fallback) {
        try {
            return values.containsKey(key) ? Double.parseDouble(values.get(key).trim()) : fallback;
        } catch (NumberFormatException e) {
            throw new AtelierException("the PNG's parameters give " + key + " '" + values.get(key) + "', not a number");
        }
    }

    /** A1111 sampler names → Atelier's schedulers; null (the model's own) for samplers Atelier does not have. */
    static SchedulerKind sampler(String name, String scheduleType) {
        if (name == null) return null;
        boolean karras = name.endsWith(" Karras") || "Karras".equalsIgnoreCase(scheduleType);
        String base = name.endsWith(" Karras") ? name.substring(0, name.length() - " Karras".length()) : name;
        return switch (base.trim()) {
            case "DDIM" -> SchedulerKind.DDIM;
            case "Euler" -> SchedulerKind.EULER;
            case "Euler a" -> SchedulerKind.EULER_ANCESTRAL;
            case "DPM++ 2M" -> karras ? SchedulerKind.DPMPP_2M_KARRAS : SchedulerKind.DPMPP_2M;
            case "LCM" -> SchedulerKind.LCM;
            default -> null;
        };
    }
}
