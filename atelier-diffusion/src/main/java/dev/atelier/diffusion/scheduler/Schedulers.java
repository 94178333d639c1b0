package dev.atelier.diffusion.scheduler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/** Creates schedulers by kind from a model's scheduler config. */
public final class Schedulers {
    private static final Logger log = LoggerFactory.getLogger(Schedulers.class);

    private Schedulers() {}

    /**
     * The sampler a model's scheduler config asks for by its {@code _class_name}: Atelier's equivalent where it has
     * one; otherwise DPM++ 2M Karras, named in a warning (a config without a class name takes it silently).
     */
    public static SchedulerKind defaultKind(SchedulerConfig config) {
        return defaultKind(config, log::warn);
    }

    static SchedulerKind defaultKind(SchedulerConfig config, Consumer<String> warnings) {
        String className = config.className();
        if (className == null || className.isBlank()) return SchedulerKind.DPMPP_2M_KARRAS;
        SchedulerKind kind = kindOfClass(className, config);
        if (kind == null) {
            kind = SchedulerKind.DPMPP_2M_KARRAS;
            warnings.accept("The model's scheduler " + className + " is not one Atelier has; sampling with "
                    + kind.cliName() + " instead (choose another with --scheduler " + SchedulerKind.validNames() + ").");
        }
        return kind;
    }

    /** Atelier's sampler for a diffusers scheduler class, or {@code null} when it has none. */
    static SchedulerKind kindOfClass(String className, SchedulerConfig config) {
        return switch (className) {
            case "DDIMScheduler" -> SchedulerKind.DDIM;
            case "EulerDiscreteScheduler" -> SchedulerKind.EULER;
            case "EulerAncestralDiscreteScheduler" -> SchedulerKind.EULER_ANCESTRAL;
            case "LCMScheduler" -> SchedulerKind.LCM;
            case "DPMSolverMultistepScheduler" ->
                    config.useKarrasSigmas() ? SchedulerKind.DPMPP_2M_KARRAS : SchedulerKind.DPMPP_2M;
            default -> null;
        };
    }

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
