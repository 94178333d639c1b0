package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.restore.SeamRestoration;
import dev.atelier.diffusion.pipeline.EditRequest;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.EditResult;
import dev.atelier.diffusion.pipeline.OutpaintExtension;
import dev.atelier.diffusion.pipeline.OutpaintMetadata;
import dev.atelier.diffusion.pipeline.OutpaintingPipeline;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code atelier outpaint}: extends an image beyond its borders with an inpainting model, then restores the seam;
 * the original stays exact away from the seam.
 */
@Command(name = "outpaint", mixinStandardHelpOptions = true,
        description = "Extend an image beyond its borders with an inpainting ONNX model.",
        footer = {"",
                "The new area and --overlap pixels of the original along each extended side are painted; the seam's",
                "colours are then matched and blended over " + SeamRestoration.DEFAULT_BAND
                        + " pixels (--no-restore skips that). Farther in, the original is kept exactly.",
                "",
                "Examples:",
                "  atelier outpaint --model ./sd-inpainting --image beach.png --left 256 --right 256 \\",
                "      --prompt \"a wide sandy beach at sunset\" --out beach-wide.png"})
final class OutpaintCommand implements Callable<Integer> {

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

    @Option(names = "--left", paramLabel = "N", defaultValue = "0", description = "Pixels to add on the left (multiple of 8).")
    int left;

    @Option(names = "--top", paramLabel = "N", defaultValue = "0", description = "Pixels to add at the top (multiple of 8).")
    int top;

    @Option(names = "--right", paramLabel = "N", defaultValue = "0", description = "Pixels to add on the right (multiple of 8).")
    int right;

    @Option(names = "--bottom", paramLabel = "N", defaultValue = "0", description = "Pixels to add at the bottom (multiple of 8).")
    int bottom;

    @Option(names = "--overlap", paramLabel = "N", defaultValue = "" + OutpaintExtension.DEFAULT_OVERLAP,
            description = "Pixels of the original along each extended side to repaint too (default: ${DEFAULT-VALUE}).")
    int overlap;

    @Option(names = "--no-restore", description = "Skip the seam restoration (colour matching and multi-band blend).")
    boolean noRestore;

    @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "What the extended scene shows.")
    String prompt;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Path image = picture.require("extend");
        if (output.out != null) RenderOptions.requirePngOutput(output.out);
        OutpaintExtension extension = new OutpaintExtension(left, top, right, bottom, overlap);
        BufferedImage source = Images.read(image);
        BufferedImage canvas = OutpaintingPipeline.extendCanvas(source, extension);
        int side = Math.max(canvas.getWidth(), canvas.getHeight());
        if (render.width == null && side > GenerationRequest.MAX_SIDE) {
            throw new AtelierException("the extended canvas would be " + canvas.getWidth() + "x" + canvas.getHeight()
                    + ", over the " + GenerationRequest.MAX_SIDE + "-pixel limit of a side; extend less, scale the image"
                    + " down, or render smaller with --width and --height");
        }
        SeamRestoration restoration = noRestore ? null : new SeamRestoration(SeamRestoration.DEFAULT_BAND);
        String modelSpec = model.orDefault(UserSettings.Key.INPAINT_MODEL);
        ModelsCommand.ensureAvailable(java.util.List.of(modelSpec), pull.yes, stderr);
        Path modelDir = ModelsCommand.resolveForUse(modelSpec, pull.yes, stderr);
        try (OutpaintingPipeline pipeline = OutpaintingPipeline.load(modelDir, render.pipelineSettings())) {
            EditRequest request = EditCommand.request(render, modelDir, prompt, canvas, pipeline.defaultScheduler(),
                    render.guidance != null ? render.guidance : EditRequest.DEFAULT_TEXT_GUIDANCE, 1, image, null);
            Path out = output.resolve(prompt == null || prompt.isBlank() ? "outpaint" : prompt, request.seed());
            EditResult result = EditCommand.withProgress("Outpainting", request.steps(), stderr,
                    cb -> pipeline.outpaint(source, extension, request, restoration, cb));
            PngFiles.write(result.image(), OutpaintMetadata.pngText(result.request(), extension,
                    restoration == null ? 0 : restoration.band(), pipeline.directory().name()), out);
            EditRequest r = result.request();
            stdout.printf("wrote %s (seed %d)%n", out, r.seed());
            stdout.printf(Locale.ROOT, "outpainted %dx%d to %dx%d in %.1f s (%s, %d steps, rendered at %dx%d)%n",
                    source.getWidth(), source.getHeight(), canvas.getWidth(), canvas.getHeight(),
                    result.timings().total() / 1e9, r.scheduler().cliName(), r.steps(), r.width(), r.height());
        }
        return 0;
    }
}
