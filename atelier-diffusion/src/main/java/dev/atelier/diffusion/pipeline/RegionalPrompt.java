package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.RegionLayout;

/**
 * Regional diffusion in latent mode: each region of {@code layout} is denoised under its own prompt, and the base
 * prompt (over the whole canvas) is mixed in with weight {@code baseRatio} (β). Without a base prompt β is 0.
 */
public record RegionalPrompt(RegionLayout layout, String basePrompt, double baseRatio) {

    public RegionalPrompt {
        if (layout == null) throw new AtelierException("regional prompt without a layout; give a split ratio such as \"1,1\"");
        basePrompt = basePrompt == null || basePrompt.isBlank() ? null : basePrompt.strip();
        if (!(baseRatio >= 0 && baseRatio <= 1)) {
            throw new AtelierException("the base ratio (β) is " + baseRatio + "; it must lie between 0 and 1, for example 0.3");
        }
        if (basePrompt == null) baseRatio = 0;
    }

    /** Whether the base prompt takes part (it has text and a positive share). */
    boolean usesBase() { return basePrompt != null && baseRatio > 0; }
}
