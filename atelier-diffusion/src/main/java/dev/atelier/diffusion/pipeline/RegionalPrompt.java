package dev.atelier.diffusion.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.RegionLayout;

/**
 * Regional diffusion: each region of {@code layout} is denoised under its own prompt, and the base prompt (over the
 * whole canvas) is mixed in with weight {@code baseRatio} (β). Without a base prompt β is 0. {@code mode} picks
 * attention or latent rendering (null: attention where the UNet allows); {@code regionalSteps} is the fraction of
 * the steps rendered regionally before the base prompt alone takes over (RPG's end_steps; null: all of them).
 */
public record RegionalPrompt(RegionLayout layout, String basePrompt, double baseRatio,
                             @JsonInclude(JsonInclude.Include.NON_NULL) RegionalMode mode,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Double regionalSteps) {

    public RegionalPrompt {
        if (layout == null) throw new AtelierException("regional prompt without a layout; give a split ratio such as \"1,1\"");
        basePrompt = basePrompt == null || basePrompt.isBlank() ? null : basePrompt.strip();
        if (!(baseRatio >= 0 && baseRatio <= 1)) {
            throw new AtelierException("the base ratio (β) is " + baseRatio + "; it must lie between 0 and 1, for example 0.3");
        }
        if (basePrompt == null) baseRatio = 0;
        if (regionalSteps != null && !(regionalSteps >= 0 && regionalSteps <= 1)) {
            throw new AtelierException("--regional-steps is " + regionalSteps + "; it must lie between 0 and 1, for example 0.6");
        }
    }

    /** Regions in the default mode over every step. */
    public RegionalPrompt(RegionLayout layout, String basePrompt, double baseRatio) {
        this(layout, basePrompt, baseRatio, null, null);
    }

    public RegionalPrompt withMode(RegionalMode m) { return new RegionalPrompt(layout, basePrompt, baseRatio, m, regionalSteps); }

    public RegionalPrompt withRegionalSteps(Double fraction) { return new RegionalPrompt(layout, basePrompt, baseRatio, mode, fraction); }

    /** Whether the base prompt takes part (it has text and a positive share). */
    boolean usesBase() { return basePrompt != null && baseRatio > 0; }

    RegionalMode modeOrDefault() { return mode == null ? RegionalMode.AUTO : mode; }

    double regionalStepsOrDefault() { return regionalSteps == null ? 1 : regionalSteps; }
}
