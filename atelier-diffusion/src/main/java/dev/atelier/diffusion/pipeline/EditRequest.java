package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.scheduler.SchedulerKind;

/**
 * One image edit, for {@link InstructPix2PixPipeline} (prompt = the instruction; {@code imageGuidanceScale} s_I) or
 * {@link InpaintingPipeline} (prompt = what to paint in the mask; {@code imageGuidanceScale} unused). The image is
 * resized to {@code width × height}. {@code image} and {@code mask} are the source files' paths, kept for the record
 * only (may be null). {@code scheduler} null means the model's own.
 */
public record EditRequest(
        String model,
        String prompt,
        String negativePrompt,
        int steps,
        SchedulerKind scheduler,
        double guidanceScale,
        double imageGuidanceScale,
        long seed,
        int width,
        int height,
        String image,
        String mask) {

    public static final double DEFAULT_TEXT_GUIDANCE = 7.5;
    public static final double DEFAULT_IMAGE_GUIDANCE = 1.5;

    public EditRequest {
        prompt = prompt == null ? "" : prompt;
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (steps < 1 || steps > 1000) throw new AtelierException("--steps must be between 1 and 1000, got " + steps);
        if (!(guidanceScale >= 0) || guidanceScale > 100) {
            throw new AtelierException("the text guidance must be between 0 and 100, got " + guidanceScale);
        }
        if (!(imageGuidanceScale >= 0) || imageGuidanceScale > 100) {
            throw new AtelierException("--image-guidance must be between 0 and 100, got " + imageGuidanceScale);
        }
        if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0
                || width > GenerationRequest.MAX_SIDE || height > GenerationRequest.MAX_SIDE) {
            throw new AtelierException("--width and --height must be multiples of 8 between 8 and "
                    + GenerationRequest.MAX_SIDE + ", got " + width + "x" + height);
        }
    }

    /** An edit with InstructPix2Pix's defaults: 20 steps, s_T 7.5, s_I 1.5. */
    public static EditRequest of(String model, String prompt, long seed, int width, int height) {
        return new EditRequest(model, prompt, "", 20, null, DEFAULT_TEXT_GUIDANCE, DEFAULT_IMAGE_GUIDANCE, seed, width,
                height, null, null);
    }

    public EditRequest withSteps(int s) { return new EditRequest(model, prompt, negativePrompt, s, scheduler, guidanceScale, imageGuidanceScale, seed, width, height, image, mask); }
    public EditRequest withScheduler(SchedulerKind k) { return new EditRequest(model, prompt, negativePrompt, steps, k, guidanceScale, imageGuidanceScale, seed, width, height, image, mask); }
    public EditRequest withGuidance(double text, double img) { return new EditRequest(model, prompt, negativePrompt, steps, scheduler, text, img, seed, width, height, image, mask); }
    public EditRequest withNegativePrompt(String n) { return new EditRequest(model, prompt, n, steps, scheduler, guidanceScale, imageGuidanceScale, seed, width, height, image, mask); }
    public EditRequest withSeed(long s) { return new EditRequest(model, prompt, negativePrompt, steps, scheduler, guidanceScale, imageGuidanceScale, s, width, height, image, mask); }
    public EditRequest withSources(String imagePath, String maskPath) { return new EditRequest(model, prompt, negativePrompt, steps, scheduler, guidanceScale, imageGuidanceScale, seed, width, height, imagePath, maskPath); }
}
