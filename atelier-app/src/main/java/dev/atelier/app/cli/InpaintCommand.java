package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.restore.SeamRestoration;
import dev.atelier.diffusion.pipeline.EditMetadata;
import dev.atelier.diffusion.pipeline.EditRequest;
import dev.atelier.diffusion.pipeline.EditResult;
import dev.atelier.diffusion.pipeline.InpaintingPipeline;
import dev.atelier.diffusion.pipeline.InpaintMask;
import dev.atelier.diffusion.pipeline.PipelineKind;
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

/** {@code atelier inpaint}: repaints the white part of a mask with an inpainting model; the rest stays exact. */
@Command(name = "inpaint", mixinStandardHelpOptions = true,
        description = "Repaint a masked part of an image with an inpainting ONNX model.",
        footer = {"",
                "The mask has the image's size; pixels brighter than 125 of 255 are repainted, the others kept exactly.",
                "",
                "Examples:",
                "  atelier inpaint --model ./sd-inpainting --image park.png --mask bench.png \\",
                "      --prompt \"a red wooden bench\" --out bench-red.png"})
final class InpaintCommand implements Callable<Integer> {

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

    @Option(names = "--mask", paramLabel = "MASK.png", required = true,
            description = "White (> 125) where to repaint, black where to keep; the image's size.")
    Path mask;

    @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "What to paint into the mask.")
    String prompt;

    @Mixin
    OutputOption output;

    @Option(names = "--restore", description = "Restore the seam as outpaint does: match the repainted area's colours to "
            + "its surroundings within " + SeamRestoration.DEFAULT_BAND + " px of the mask's edge and blend across it "
            + "(pixels that near the edge outside the mask may change slightly).")
    boolean restore;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Path image = picture.require("change");
        if (output.out != null) RenderOptions.requirePngOutput(output.out);
        BufferedImage source = Images.read(image);
        BufferedImage maskImage = Images.read(mask);
        String modelSpec = model.orDefault(UserSettings.Key.INPAINT_MODEL);
        ModelsCommand.ensureAvailable(java.util.List.of(modelSpec), pull.yes, stderr);
        Path modelDir = ModelsCommand.resolveForUse(modelSpec, pull.yes, stderr);
        try (InpaintingPipeline pipeline = InpaintingPipeline.load(modelDir, render.pipelineSettings())) {
            EditRequest request = EditCommand.request(render, modelDir, prompt, source, pipeline.defaultScheduler(),
                    render.guidance != null ? render.guidance : EditRequest.DEFAULT_TEXT_GUIDANCE, 1, image, mask);
            Path out = output.resolve(prompt, request.seed());
            EditResult result = EditCommand.withProgress("Inpainting", request.steps(), stderr,
                    cb -> pipeline.inpaint(source, maskImage, request, cb));
            BufferedImage picture = restore ? restoreSeam(source, result.image(), maskImage) : result.image();
            PngFiles.write(picture, EditMetadata.pngText(result.request(), PipelineKind.INPAINTING,
                    pipeline.directory().name()), out);
            EditRequest r = result.request();
            stdout.printf("wrote %s (seed %d)%n", out, r.seed());
            stdout.printf(Locale.ROOT, "inpainted in %.1f s (%s, %d steps, %dx%d)%n", result.timings().total() / 1e9,
                    r.scheduler().cliName(), r.steps(), r.width(), r.height());
        }
        return 0;
    }

    private static BufferedImage restoreSeam(BufferedImage source, BufferedImage painted, BufferedImage maskImage) {
        int w = source.getWidth();
        int h = source.getHeight();
        InpaintMask mask = InpaintMask.of(maskImage, w, h);
        boolean[] repainted = new boolean[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) repainted[y * w + x] = mask.repaints(x, y);
        return new SeamRestoration(SeamRestoration.DEFAULT_BAND).restore(source, painted, repainted, InpaintingPipeline.FEATHER);
    }
}
