package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;

/** Creates schedulers by kind from a model's scheduler config. */
public final class Schedulers {
    private Schedulers() {}

    /**
     * A fresh scheduler of {@code kind} on the noise schedule of {@code config}. The kind decides the sampler and,
     * for DPM++ 2M, whether Karras sigmas are used; everything else (betas, spacing, prediction type) comes from
     * the config.
     */
    public static Scheduler create(SchedulerKind kind, SchedulerConfig config) {
        return switch (kind) {
            case DDIM -> new DdimScheduler(config);
            case EULER, EULER_ANCESTRAL, DPMPP_2M_KARRAS, DPMPP_2M, LCM -> throw new AtelierException(
                    "The " + kind.cliName() + " scheduler is not available yet; use --scheduler ddim.");
        };
    }
}
