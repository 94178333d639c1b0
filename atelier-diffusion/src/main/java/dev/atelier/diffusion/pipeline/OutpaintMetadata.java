package dev.atelier.diffusion.pipeline;

import java.util.Locale;
import java.util.Map;

/**
 * PNG text chunks of an outpainted image: those of {@link EditMetadata} for the inpainting run on the canvas, with
 * the extension appended to the A1111 {@code parameters} and recorded under {@value #EXTENSION_KEY}.
 */
public final class OutpaintMetadata {
    public static final String EXTENSION_KEY = "atelier-outpaint";

    private OutpaintMetadata() {}

    /** {@code restoreBand} 0 when the seam was not restored. */
    public static Map<String, String> pngText(EditRequest request, OutpaintExtension extension, int restoreBand,
                                              String modelName) {
        Map<String, String> text = EditMetadata.pngText(request, PipelineKind.INPAINTING, modelName);
        String summary = String.format(Locale.ROOT, "left %d, top %d, right %d, bottom %d, overlap %d",
                extension.left(), extension.top(), extension.right(), extension.bottom(), extension.overlap());
        text.put(GenerationMetadata.PARAMETERS_KEY, text.get(GenerationMetadata.PARAMETERS_KEY)
                + ", Outpaint: " + summary + (restoreBand > 0 ? ", Seam restore: " + restoreBand : ""));
        text.put(EXTENSION_KEY, String.format(Locale.ROOT,
                "{\"left\":%d,\"top\":%d,\"right\":%d,\"bottom\":%d,\"overlap\":%d,\"restoreBand\":%d}",
                extension.left(), extension.top(), extension.right(), extension.bottom(), extension.overlap(),
                restoreBand));
        return text;
    }
}
