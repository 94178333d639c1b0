package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Steps and guidance for a request that names none, by model family: Turbo models (adversarially distilled) take one
 * step without guidance, LCMs four steps with guidance off unless the UNet embeds it, everything else 20 steps at 7.5.
 */
public record SamplingDefaults(boolean turbo, boolean guidanceEmbedding) {

    /** Turbo exports carry no marker in their configs; their folder or repository name says so. */
    public static SamplingDefaults forModel(Path modelDir, boolean guidanceEmbedding) {
        boolean turbo = modelDir.toAbsolutePath().toString().toLowerCase(Locale.ROOT).contains("turbo");
        return new SamplingDefaults(turbo, guidanceEmbedding);
    }

    public int steps(SchedulerKind kind) {
        return turbo ? 1 : kind == SchedulerKind.LCM ? 4 : 20;
    }

    public double guidance(SchedulerKind kind) {
        return turbo ? 0.0 : kind == SchedulerKind.LCM && !guidanceEmbedding ? 1.0 : 7.5;
    }
}
