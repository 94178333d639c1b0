package dev.atelier.app.cli;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Rendering options shared by every command that runs the diffusion pipeline; unset means "the default". */
final class RenderOptions {

    @Option(names = "--negative", paramLabel = "TEXT", description = "What to steer away from.")
    String negative;

    @Option(names = "--steps", paramLabel = "N", description = "Denoising steps (default 20; 4 for LCM; 1 for Turbo models).")
    Integer steps;

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "ddim, euler, euler-a, dpmpp-2m, dpmpp-2m-karras or lcm (default: the model's own).")
    String scheduler;

    @Option(names = "--guidance", paramLabel = "W",
            description = "Classifier-free guidance scale; 1 or less turns it off (default 7.5; 1 for LCM, 0 for Turbo).")
    Double guidance;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: a new one, printed); batch image i uses S+i.")
    Long seed;

    @Option(names = "--width", paramLabel = "W", description = "Width in pixels, a multiple of 8 (default: the model's size).")
    Integer width;

    @Option(names = "--height", paramLabel = "H", description = "Height in pixels, a multiple of 8 (default: the model's size).")
    Integer height;

    @Option(names = "--noise", paramLabel = "NAME",
            description = "Noise generator: torch-cpu (PyTorch's CPU generator, so a seed gives diffusers' picture) or "
                    + "atelier (the generator of earlier versions). Default: torch-cpu, or what a --from image used.")
    String noise;

    @Mixin
    DeviceOption device;

    /** The chosen scheduler, or null for the model's own. */
    SchedulerKind schedulerKind() {
        return scheduler == null ? null : SchedulerKind.fromCliName(scheduler);
    }

    /** The chosen noise generator, or null for the default (or a replayed image's). */
    NoiseKind noiseKind() {
        return noise == null ? null : NoiseKind.fromCliName(noise);
    }

    PipelineSettings pipelineSettings() { return device.pipelineSettings(); }

    /** Atelier stores what made a picture in PNG text chunks, so outputs must be PNG files. */
    static void requirePngOutput(Path out) {
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new AtelierException("--out must name a .png file (Atelier stores the generation data in PNG text chunks): " + out);
        }
    }
}
