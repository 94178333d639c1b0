package dev.atelier.core.plan;

/**
 * Make a new picture from text.
 *
 * @param prompt         the detailed prompt (the recaption of the request)
 * @param negativePrompt what to keep out of the picture; empty for none
 * @param layout         regions with their own prompts, or null for one prompt over the whole canvas
 * @param basePrompt     the prompt mixed into every region with weight {@code baseRatio}; null for none
 * @param baseRatio      β: the base prompt's share against the region prompts, in [0, 1]
 * @param seed           the noise seed; null lets the renderer pick one (and report it)
 * @param picture        the picture of the conversation (numbered from 1) this plan remakes with a refined prompt,
 *                       or null for a new picture
 * Missing numbers take the defaults below, so a hand-written plan needs only {@code "prompt"}.
 */
public record GeneratePlan(String prompt, String negativePrompt, RegionLayout layout, String basePrompt,
                           Double baseRatio, Integer width, Integer height, Integer steps, Double guidance, Long seed,
                           Integer picture)
        implements Plan {

    public static final int DEFAULT_SIZE = 512;
    public static final int DEFAULT_STEPS = 30;
    public static final double DEFAULT_GUIDANCE = 7.5;
    public static final double DEFAULT_BASE_RATIO = 0.3;

    public GeneratePlan {
        prompt = Plan.requireText(prompt, "prompt", "generate");
        negativePrompt = Plan.orEmpty(negativePrompt);
        basePrompt = basePrompt == null || basePrompt.isBlank() ? null : basePrompt.strip();
        baseRatio = baseRatio == null ? DEFAULT_BASE_RATIO : baseRatio;
        if (!(baseRatio >= 0 && baseRatio <= 1)) {
            throw new InvalidPlanException("baseRatio (β) is " + baseRatio + "; it must lie between 0 and 1, for example 0.3.");
        }
        width = Sizes.side(width, "width");
        height = Sizes.side(height, "height");
        steps = Sizes.steps(steps);
        guidance = Sizes.guidance(guidance, DEFAULT_GUIDANCE, "guidance");
        picture = Plan.pictureNumber(picture);
    }

    /** A plan of a new picture. */
    public GeneratePlan(String prompt, String negativePrompt, RegionLayout layout, String basePrompt, Double baseRatio,
                        Integer width, Integer height, Integer steps, Double guidance, Long seed) {
        this(prompt, negativePrompt, layout, basePrompt, baseRatio, width, height, steps, guidance, seed, null);
    }

    /** A plain plan: one prompt, default settings. */
    public static GeneratePlan of(String prompt) {
        return new GeneratePlan(prompt, "", null, null, null, null, null, null, null, null);
    }

    public boolean hasRegions() { return layout != null && layout.regionCount() > 1; }

    public GeneratePlan withLayout(RegionLayout newLayout, String newBasePrompt, Double newBaseRatio) {
        return new GeneratePlan(prompt, negativePrompt, newLayout, newBasePrompt, newBaseRatio, width, height, steps, guidance, seed, picture);
    }

    public GeneratePlan withSettings(Integer newWidth, Integer newHeight, Integer newSteps, Double newGuidance, Long newSeed) {
        return new GeneratePlan(prompt, negativePrompt, layout, basePrompt, baseRatio,
                newWidth == null ? width : newWidth, newHeight == null ? height : newHeight,
                newSteps == null ? steps : newSteps, newGuidance == null ? guidance : newGuidance,
                newSeed == null ? seed : newSeed, picture);
    }

    public GeneratePlan withPicture(Integer number) {
        return new GeneratePlan(prompt, negativePrompt, layout, basePrompt, baseRatio, width, height, steps, guidance, seed, number);
    }
}
