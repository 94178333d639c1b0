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
 * @param pictures   the conversation's pictures so far, numbered from 1 in this order (each with its caption or
 *                   prompt), so a request can refer to one ("the second one, but at night"); may be empty
 */
public record PlanRequest(String text, List<ChatMessage> history, ImageInput image, String maskPath, PlanKind kind,
                          RenderSettings settings, List<ImageInput> pictures) {

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
        pictures = pictures == null ? List.of() : List.copyOf(pictures);
    }

    public static PlanRequest of(String text) { return new PlanRequest(text, List.of(), null, null, null, null, List.of()); }

    public PlanRequest withImage(ImageInput newImage) { return new PlanRequest(text, history, newImage, maskPath, kind, settings, pictures); }

    public PlanRequest withMask(String newMaskPath) { return new PlanRequest(text, history, image, newMaskPath, kind, settings, pictures); }

    public PlanRequest withKind(PlanKind newKind) { return new PlanRequest(text, history, image, maskPath, newKind, settings, pictures); }

    public PlanRequest withSettings(RenderSettings newSettings) { return new PlanRequest(text, history, image, maskPath, kind, newSettings, pictures); }

    public PlanRequest withHistory(List<ChatMessage> newHistory) { return new PlanRequest(text, newHistory, image, maskPath, kind, settings, pictures); }

    public PlanRequest withPictures(List<ImageInput> newPictures) { return new PlanRequest(text, history, image, maskPath, kind, settings, newPictures); }

    /** Conversation picture {@code number} (from 1), or null when there is no such picture. */
    public ImageInput picture(Integer number) {
        return number == null || number < 1 || number > pictures.size() ? null : pictures.get(number - 1);
    }

    public boolean hasImage() { return image != null; }
}
