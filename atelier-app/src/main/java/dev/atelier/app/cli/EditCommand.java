package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.pipeline.EditMetadata;
import dev.atelier.diffusion.pipeline.EditRequest;
import dev.atelier.diffusion.pipeline.EditResult;
import dev.atelier.diffusion.pipeline.InstructPix2PixPipeline;
import dev.atelier.diffusion.pipeline.PipelineKind;
import dev.atelier.diffusion.pipeline.StepCallback;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atelier edit}: InstructPix2Pix, an image changed as a written instruction says. */
@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Edit an image from a written instruction with an InstructPix2Pix ONNX model.",
        footer = {"",
                "Examples:",
                "  atelier edit --model ./instruct-pix2pix --image cat.png --instruction \"make it snow\" --out snow.png",
                "  atelier edit --model ./instruct-pix2pix --image room.jpg --instruction \"paint the walls blue\" \\",
                "      --text-guidance 9 --image-guidance 1.2 --seed 3 --out blue.png"})
final class EditCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RenderOptions render;

    @Mixin
    ModelOption model;

    @Mixin
    PullOption pull;

    @Mixin
    ImageOption picture;

    @Option(names = "--instruction", paramLabel = "TEXT", required = true,
            description = "What to change, e.g. \"turn the sky purple\"; empty keeps the image.")
    String instruction;

    @Option(names = "--text-guidance", paramLabel = "S_T",
            description = "How strongly to follow the instruction (default 7.5; --guidance means the same).")
    Double textGuidance;

    @Option(names = "--image-guidance", paramLabel = "S_I",
            description = "How closely to keep the input image (default 1.5; below 1 turns guidance off).")
    Double imageGuidance;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Path image = picture.require("edit");
        if (output.out != null) RenderOptions.requirePngOutput(output.out);
        BufferedImage source = Images.read(image);
        String modelSpec = model.orDefault(UserSettings.Key.EDIT_MODEL);
        ModelsCommand.ensureAvailable(java.util.List.of(modelSpec), pull.yes, stderr);
        Path modelDir = ModelsCommand.resolveForUse(modelSpec, pull.yes, stderr);
        try (InstructPix2PixPipeline pipeline = InstructPix2PixPipeline.load(modelDir, render.pipelineSettings())) {
            EditRequest request = request(render, modelDir, instruction, source, pipeline.defaultScheduler(),
                    textGuidance != null ? textGuidance : render.guidance != null ? render.guidance : EditRequest.DEFAULT_TEXT_GUIDANCE,
                    imageGuidance != null ? imageGuidance : EditRequest.DEFAULT_IMAGE_GUIDANCE,
                    image, null);
            Path out = output.resolve(instruction, request.seed());
            EditResult result = withProgress("Editing", request.steps(), stderr, cb -> pipeline.edit(source, request, cb));
            PngFiles.write(result.image(), EditMetadata.pngText(result.request(), PipelineKind.INSTRUCT_PIX2PIX,
                    pipeline.directory().name()), out);
            report(stdout, result, out);
        }
        return 0;
    }

    /** The request from the shared rendering options; the size defaults to the image's, rounded down to 8. */
    static EditRequest request(RenderOptions render, Path modelDir, String prompt, BufferedImage source,
                               SchedulerKind defaultScheduler, double textGuidance, double imageGuidance,
                               Path imageFile, Path maskFile) {
        if (render.noiseKind() == NoiseKind.TORCH_CPU) {
            // the edit pipelines still draw from Atelier's generator; say so rather than ignore the option
            throw new AtelierException("--noise torch-cpu applies to text-to-image (generate, create) only; editing, "
                    + "inpainting and outpainting use --noise atelier, their only generator so far");
        }
        if (render.width == null != (render.height == null)) {
            throw new AtelierException("give both --width and --height, or neither to keep the image's size");
        }
        return new EditRequest(
                modelDir.toAbsolutePath().normalize().toString(),
                prompt,
                render.negative,
                render.steps != null ? render.steps : 20,
                render.scheduler != null ? render.schedulerKind() : defaultScheduler,
                textGuidance,
                imageGuidance,
                render.seed != null ? render.seed : ThreadLocalRandom.current().nextLong(1L << 32),
                render.width != null ? render.width : Math.max(8, source.getWidth() / 8 * 8),
                render.height != null ? render.height : Math.max(8, source.getHeight() / 8 * 8),
                imageFile.toAbsolutePath().normalize().toString(),
                maskFile == null ? null : maskFile.toAbsolutePath().normalize().toString());
    }

    /** Runs {@code work} with a progress bar over {@code steps} on {@code err}. */
    static EditResult withProgress(String task, int steps, PrintWriter err, Function<StepCallback, EditResult> work) {
        TerminalProgress progress = new TerminalProgress(err);
        try {
            EditResult result = work.apply(progress.begin(task, steps));
            progress.end();
            return result;
        } finally {
            progress.abandon(); // only when the edit failed: end() has already closed the bar
        }
    }

    static void report(PrintWriter stdout, EditResult result, Path out) {
        EditRequest r = result.request();
        stdout.printf("wrote %s (seed %d)%n", out, r.seed());
        stdout.printf(Locale.ROOT, "edited in %.1f s (%s, %d steps, %dx%d)%n", result.timings().total() / 1e9,
                r.scheduler().cliName(), r.steps(), r.width(), r.height());
    }
}
