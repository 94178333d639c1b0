package dev.atelier.diffusion.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * PNG text chunks of an edited image: A1111-style {@code parameters} (InstructPix2Pix's image scale as
 * "Image CFG scale") and the whole {@link EditRequest} as JSON under {@value #REQUEST_KEY}.
 */
public final class EditMetadata {
    public static final String REQUEST_KEY = "atelier-edit";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EditMetadata() {}

    public static Map<String, String> pngText(EditRequest request, PipelineKind kind, String modelName) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put(GenerationMetadata.PARAMETERS_KEY, a1111Parameters(request, kind, modelName));
        try {
            text.put(REQUEST_KEY, JSON.writeValueAsString(request));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an edit request always serialises", e);
        }
        return text;
    }

    static String a1111Parameters(EditRequest r, PipelineKind kind, String modelName) {
        StringBuilder b = new StringBuilder(r.prompt());
        if (!r.negativePrompt().isBlank()) b.append("\nNegative prompt: ").append(r.negativePrompt());
        b.append("\nSteps: ").append(r.steps());
        if (r.scheduler() != null) b.append(", Sampler: ").append(GenerationMetadata.samplerName(r.scheduler()));
        b.append(", CFG scale: ").append(number(r.guidanceScale()));
        if (kind == PipelineKind.INSTRUCT_PIX2PIX) b.append(", Image CFG scale: ").append(number(r.imageGuidanceScale()));
        b.append(", Seed: ").append(r.seed());
        b.append(", Size: ").append(r.width()).append('x').append(r.height());
        if (modelName != null && !modelName.isBlank()) b.append(", Model: ").append(modelName);
        if (kind == PipelineKind.INPAINTING) b.append(", Mask blur: ").append(InpaintingPipeline.FEATHER);
        return b.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
