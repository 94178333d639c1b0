package dev.atelier.planner;

import dev.atelier.llm.ChatMessage;
import java.util.List;

/**
 * What the person said now, with what came before.
 *
 * @param text       this turn's request
 * @param history    earlier turns (may be empty)
 * @param image      the picture the request is about, or null
 * @param maskPath   a mask file given with the picture (white = repaint), or null
 * @param kind       a kind the person chose explicitly, or null to let the router decide
 * @param settings   render settings the person chose; null fields take the plan defaults
 */
public record PlanRequest(String text, List<ChatMessage> history, ImageInput image, String maskPath, PlanKind kind,
                          RenderSettings settings) {

    /** A picture with its MIME type and, when known, a caption of it. */
    public record ImageInput(byte[] bytes, String mimeType, String caption) {
        public ImageInput withCaption(String newCaption) { return new ImageInput(bytes, mimeType, newCaption); }
    }

    /** Settings from the person; null means "plan default". */
    public record RenderSettings(Integer width, Integer height, Integer steps, Double guidance, Long seed) {
        public static final RenderSettings DEFAULTS = new RenderSettings(null, null, null, null, null);
    }

    public PlanRequest {
        if (text == null || text.isBlank()) {
            throw new dev.atelier.core.AtelierException("The request is empty; say what you want, for example \"a red fox in snow\".");
        }
        text = text.strip();
        history = history == null ? List.of() : List.copyOf(history);
        settings = settings == null ? RenderSettings.DEFAULTS : settings;
    }

    public static PlanRequest of(String text) { return new PlanRequest(text, List.of(), null, null, null, null); }

    public PlanRequest withImage(ImageInput newImage) { return new PlanRequest(text, history, newImage, maskPath, kind, settings); }

    public PlanRequest withMask(String newMaskPath) { return new PlanRequest(text, history, image, newMaskPath, kind, settings); }

    public PlanRequest withKind(PlanKind newKind) { return new PlanRequest(text, history, image, maskPath, newKind, settings); }

    public PlanRequest withSettings(RenderSettings newSettings) { return new PlanRequest(text, history, image, maskPath, kind, newSettings); }

    public PlanRequest withHistory(List<ChatMessage> newHistory) { return new PlanRequest(text, newHistory, image, maskPath, kind, settings); }

    public boolean hasImage() { return image != null; }
}
