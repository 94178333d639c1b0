package dev.atelier.diffusion.scheduler;

/** Creates schedulers by kind from a model's scheduler config. */
public final class Schedulers {
    private Schedulers() {}

    /**
     * A fresh scheduler of {@code kind} on the noise schedule of {@code config}. The kind decides the sampler and,
     * for DPM++ 2M, whether Karras sigmas are used (Euler follows the config's {@code use_karras_sigmas});
     * everything else (betas, spacing, prediction type) comes from the config.
     */
    public static Scheduler create(SchedulerKind kind, SchedulerConfig config) {
        return switch (kind) {
            case DDIM -> new DdimScheduler(config);
            case EULER -> new EulerDiscreteScheduler(config);
            case EULER_ANCESTRAL -> new EulerAncestralScheduler(config);
            case DPMPP_2M -> new DpmSolverMultistepScheduler(config, false);
            case DPMPP_2M_KARRAS -> new DpmSolverMultistepScheduler(config, true);
            case LCM -> new LcmScheduler(config);
        };
    }
}
