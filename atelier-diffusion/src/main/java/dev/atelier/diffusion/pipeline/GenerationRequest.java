package dev.atelier.diffusion.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.scheduler.SchedulerKind;

/**
 * Everything needed to repeat a generation. {@code scheduler} null means the model's own; {@code initImage} null
 * means text-to-image, otherwise {@code strength} in [0, 1] says how much of the schedule is run over it
 * (0 returns it through the VAE, 1 ignores it). Images {@code i} of a batch use seed {@code seed + i}.
 * {@code regions} null renders {@code prompt} over the whole canvas; otherwise the regions' own prompts (and the base
 * prompt) are rendered in latent mode, and {@code prompt} only describes the picture. {@code noise} null means
 * {@link NoiseKind#DEFAULT}.
 */
public record GenerationRequest(
        String model,
        String prompt,
        String negativePrompt,
        int steps,
        SchedulerKind scheduler,
        double guidanceScale,
        double guidanceRescale,
        long seed,
        int width,
        int height,
        int batchSize,
        String initImage,
        double strength,
        @JsonInclude(JsonInclude.Include.NON_NULL) RegionalPrompt regions,
        @JsonInclude(JsonInclude.Include.NON_NULL) NoiseKind noise) {

    public static final int MAX_SIDE = 8192;

    public GenerationRequest {
        prompt = prompt == null ? "" : prompt;
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (steps < 1 || steps > 1000) throw bad("--steps must be between 1 and 1000, got " + steps);
        if (!(guidanceScale >= 0) || guidanceScale > 100) throw bad("--guidance must be between 0 and 100, got " + guidanceScale);
        if (!(guidanceRescale >= 0 && guidanceRescale <= 1)) throw bad("guidance rescale must be in [0, 1], got " + guidanceRescale);
        if (width < 8 || height < 8 || width % 8 != 0 || height % 8 != 0 || width > MAX_SIDE || height > MAX_SIDE) {
            throw bad("--width and --height must be multiples of 8 between 8 and " + MAX_SIDE + ", got " + width + "x" + height);
        }
        if (batchSize < 1 || batchSize > 64) throw bad("--batch must be between 1 and 64, got " + batchSize);
        if (!(strength >= 0 && strength <= 1)) throw bad("--strength must be between 0 and 1, got " + strength);
    }

    /** A request with the default noise generator. */
    public GenerationRequest(String model, String prompt, String negativePrompt, int steps, SchedulerKind scheduler,
                             double guidanceScale, double guidanceRescale, long seed, int width, int height, int batchSize,
                             String initImage, double strength, RegionalPrompt regions) {
        this(model, prompt, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, seed, width, height,
                batchSize, initImage, strength, regions, null);
    }

    /** A request without regions. */
    public GenerationRequest(String model, String prompt, String negativePrompt, int steps, SchedulerKind scheduler,
                             double guidanceScale, double guidanceRescale, long seed, int width, int height, int batchSize,
                             String initImage, double strength) {
        this(model, prompt, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, seed, width, height,
                batchSize, initImage, strength, null, null);
    }

    private static AtelierException bad(String message) {
        return new AtelierException(message);
    }

    /** A text-to-image request with SD defaults: 20 steps, guidance 7.5, 512×512, one image. */
    public static GenerationRequest of(String model, String prompt, long seed) {
        return new GenerationRequest(model, prompt, "", 20, null, 7.5, 0, seed, 512, 512, 1, null, 0.75);
    }

    public boolean isImageToImage() { return initImage != null && !initImage.isBlank(); }

    public GenerationRequest withPrompt(String p) { return new GenerationRequest(model, p, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, seed, width, height, batchSize, initImage, strength, regions, noise); }
    public GenerationRequest withNegativePrompt(String n) { return new GenerationRequest(model, prompt, n, steps, scheduler, guidanceScale, guidanceRescale, seed, width, height, batchSize, initImage, strength, regions, noise); }
    public GenerationRequest withSteps(int s) { return new GenerationRequest(model, prompt, negativePrompt, s, scheduler, guidanceScale, guidanceRescale, seed, width, height, batchSize, initImage, strength, regions, noise); }
    public GenerationRequest withScheduler(SchedulerKind k) { return new GenerationRequest(model, prompt, negativePrompt, steps, k, guidanceScale, guidanceRescale, seed, width, height, batchSize, initImage, strength, regions, noise); }
    public GenerationRequest withGuidance(double w) { return new GenerationRequest(model, prompt, negativePrompt, steps, scheduler, w, guidanceRescale, seed, width, height, batchSize, initImage, strength, regions, noise); }
    public GenerationRequest withGuidanceRescale(double r) { return new GenerationRequest(model, prompt, negativePrompt, steps, scheduler, guidanceScale, r, seed, width, height, batchSize, initImage, strength, regions, noise); }
    public GenerationRequest withSeed(long s) { return new GenerationRequest(model, prompt, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, s, width, height, batchSize, initImage, strength, regions, noise); }
    public GenerationRequest withSize(int w, int h) { return new GenerationRequest(model, prompt, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, seed, w, h, batchSize, initImage, strength, regions, noise); }
    public GenerationRequest withBatchSize(int n) { return new GenerationRequest(model, prompt, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, seed, width, height, n, initImage, strength, regions, noise); }
    public GenerationRequest withInitImage(String path, double s) { return new GenerationRequest(model, prompt, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, seed, width, height, batchSize, path, s, regions, noise); }
    public GenerationRequest withModel(String m) { return new GenerationRequest(m, prompt, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, seed, width, height, batchSize, initImage, strength, regions, noise); }
    public GenerationRequest withRegions(RegionalPrompt r) { return new GenerationRequest(model, prompt, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, seed, width, height, batchSize, initImage, strength, r, noise); }
    public GenerationRequest withNoise(NoiseKind n) { return new GenerationRequest(model, prompt, negativePrompt, steps, scheduler, guidanceScale, guidanceRescale, seed, width, height, batchSize, initImage, strength, regions, n); }

    /** The generator to use: the request's, or the default. */
    public NoiseKind noiseOrDefault() { return noise != null ? noise : NoiseKind.DEFAULT; }
}
