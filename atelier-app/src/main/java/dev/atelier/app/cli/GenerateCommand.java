package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import dev.atelier.app.logging.StartupClock;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.core.plan.RegionLayout;
import dev.atelier.core.plan.SplitRatio;
import dev.atelier.diffusion.pipeline.GeneratedImage;
import dev.atelier.diffusion.pipeline.GenerationMetadata;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.GenerationResult;
import dev.atelier.diffusion.pipeline.RegionalMode;
import dev.atelier.diffusion.pipeline.RegionalPrompt;
import dev.atelier.diffusion.pipeline.SamplingDefaults;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.diffusion.pipeline.StepCallback;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atelier generate}: text-to-image and image-to-image with a Stable Diffusion ONNX pipeline. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Render images from a prompt with a Stable Diffusion ONNX model.",
        footer = {"",
                "Examples:",
                "  atelier generate --prompt \"a red fox in snow\"            # the configured model, fox's own file name",
                "  atelier generate --model ./sd15 --prompt \"a red fox in snow\" --out fox.png",
                "  atelier generate --model ./sd15 --prompt \"oil painting\" \\",
                "      --init photo.jpg --strength 0.6 --out oil.png",
                "  atelier generate --from fox.png --seed 8 --out fox-8.png",
                "  atelier generate --model ./sd15 --prompt \"two cats on a sofa\" --regions \"1,1\" \\",
                "      --region-prompt \"a black cat\" --region-prompt \"a white cat\" --out cats.png",
                "  atelier plan --prompt \"a cat left of a dog\" > plan.json && atelier generate --plan plan.json"})
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RenderOptions render;

    @Mixin
    ModelOption model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "What to draw; (word:1.3), (word) and [word] set emphasis.")
    String prompt;

    @Option(names = "--batch", paramLabel = "N", description = "Number of images (default 1).")
    Integer batch;

    @Option(names = "--init", paramLabel = "IMAGE", description = "Start from this image (image-to-image).")
    Path init;

    @Option(names = "--strength", paramLabel = "S",
            description = "With --init: 0 keeps the image, 1 ignores it (default 0.75).")
    Double strength;

    @Option(names = "--from", paramLabel = "PNG",
            description = "Repeat the generation stored in a PNG written by Atelier; other options override it.")
    Path from;

    @Mixin
    PullOption pull;

    @Mixin
    OutputOption output;

    @Option(names = "--regions", paramLabel = "RATIO",
            description = "Regional prompting: rows and regions as RPG's split ratio (\"1,1\" two columns, \"1;1\" two rows,"
                    + " \"1,1,1;2,1\" two regions over one); give one --region-prompt per region, row by row.")
    String regions;

    @Option(names = "--region-prompt", paramLabel = "TEXT", description = "With --regions: a region's prompt (repeat, in reading order).")
    List<String> regionPrompts;

    @Option(names = "--base-ratio", paramLabel = "BETA",
            description = "With --regions: the share of --prompt mixed into every region, 0 to 1 (default 0.3).")
    Double baseRatio;

    @Option(names = "--plan", paramLabel = "JSON",
            description = "Render a generate plan written by `atelier plan` (its prompts, regions and settings; options override the settings).")
    Path plan;

    @Option(names = "--regional-mode", paramLabel = "MODE",
            description = "How regions render: attention (in the UNet's cross-attention, one pass), latent (one UNet entry"
                    + " per region) or auto (attention where the model allows; the default).")
    String regionalMode;

    @Option(names = "--regional-steps", paramLabel = "F",
            description = "The fraction of the steps rendered regionally, 0 to 1; the rest use the base prompt alone (default 1).")
    Double regionalSteps;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (plan != null && (from != null || prompt != null || regions != null)) {
            throw new AtelierException("--plan gives the prompt and the regions; drop --prompt, --regions and --from");
        }
        GenerationRequest stored = from != null ? GenerationMetadata.readRequest(from) : plan != null ? planRequest(plan) : null;
        String modelSpec = model.model != null ? model.model : stored != null && stored.model() != null
                && !stored.model().isBlank() ? stored.model() : model.orDefault(UserSettings.Key.MODEL);
        if (prompt == null && stored == null) throw new AtelierException("missing --prompt TEXT (or --from PNG to repeat a generation)");
        if (output.out != null) RenderOptions.requirePngOutput(output.out);
        if (regions == null && (regionPrompts != null || baseRatio != null)) {
            throw new AtelierException("--region-prompt and --base-ratio need --regions RATIO, for example --regions \"1,1\"");
        }
        if ((regionalMode != null || regionalSteps != null) && regions == null && plan == null
                && (stored == null || stored.regions() == null)) {
            throw new AtelierException("--regional-mode and --regional-steps apply to regions: add --regions RATIO or --plan JSON");
        }
        if (strength != null && init == null && (stored == null || !stored.isImageToImage())) {
            throw new AtelierException("--strength applies to image-to-image only: add --init IMAGE");
        }
        ModelsCommand.ensureAvailable(List.of(modelSpec), pull.yes, stderr);
        Path modelDir = ModelsCommand.resolveForUse(modelSpec, pull.yes, stderr);
        StartupClock.mark("model lookup");
        try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(modelDir, render.pipelineSettings())) {
            StartupClock.mark("tokenizer and sessions");
            GenerationRequest request = buildRequest(stored, modelDir, pipeline);
            Path out = output.resolve(request.prompt(), request.seed());
            GenerationResult result = render(pipeline, request, stderr);
            StartupClock.mark("other steps and decode");
            List<Path> written = write(result, pipeline.directory().name(), out);
            StartupClock.mark("PNG write");
            for (int i = 0; i < written.size(); i++) {
                stdout.printf("wrote %s (seed %d)%n", written.get(i), result.images().get(i).seed());
            }
            var t = result.timings();
            stdout.printf(Locale.ROOT, "%d image(s) in %.1f s (%s, %d steps, %dx%d)%n", written.size(), t.total() / 1e9,
                    result.request().scheduler().cliName(), result.request().steps(), result.request().width(),
                    result.request().height());
        }
        return 0;
    }

    private GenerationRequest buildRequest(GenerationRequest stored, Path modelDir, StableDiffusionPipeline pipeline) {
        SchedulerKind kind = render.scheduler != null ? render.schedulerKind()
                : stored != null && stored.scheduler() != null ? stored.scheduler() : pipeline.defaultScheduler();
        SamplingDefaults defaults = pipeline.samplingDefaults();
        int size = pipeline.directory().defaultImageSize();
        Integer initWidth = null;
        Integer initHeight = null;
        Path initImage = init != null ? init : stored != null && stored.initImage() != null ? Path.of(stored.initImage()) : null;
        if (initImage != null && init != null && (render.width == null || render.height == null)) {
            BufferedImage image = Images.read(init);
            initWidth = Math.max(8, image.getWidth() / 8 * 8);
            initHeight = Math.max(8, image.getHeight() / 8 * 8);
        }
        GenerationRequest request = new GenerationRequest(
                modelDir.toAbsolutePath().normalize().toString(),
                prompt != null ? prompt : stored.prompt(),
                render.negative != null ? render.negative : stored != null ? stored.negativePrompt() : "",
                render.steps != null ? render.steps : stored != null ? stored.steps() : defaults.steps(kind),
                kind,
                render.guidance != null ? render.guidance : stored != null ? stored.guidanceScale() : defaults.guidance(kind),
                stored != null ? stored.guidanceRescale() : 0,
                render.seed != null ? render.seed : stored != null ? stored.seed() : ThreadLocalRandom.current().nextLong(1L << 32),
                render.width != null ? render.width : initWidth != null ? initWidth : stored != null ? stored.width() : size,
                render.height != null ? render.height : initHeight != null ? initHeight : stored != null ? stored.height() : size,
                batch != null ? batch : stored != null ? stored.batchSize() : 1,
                initImage == null ? null : initImage.toAbsolutePath().normalize().toString(),
                strength != null ? strength : stored != null ? stored.strength() : 0.75,
                regions != null ? regionalPrompt(prompt != null ? prompt : stored.prompt())
                        // a replay keeps the stored regions; a new prompt replaces the whole picture's conditioning
                        : prompt == null && stored != null ? stored.regions() : null,
                render.noise != null ? render.noiseKind() : stored != null ? stored.noise() : null);
        if (request.regions() != null && (regionalMode != null || regionalSteps != null)) {
            RegionalPrompt r = request.regions();
            if (regionalMode != null) r = r.withMode(RegionalMode.parse(regionalMode));
            if (regionalSteps != null) r = r.withRegionalSteps(regionalSteps);
            request = request.withRegions(r);
        }
        return request;
    }

    /** The request a generate plan file describes; the options given beside --plan then override its settings. */
    private static GenerationRequest planRequest(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new AtelierException("no plan file at " + file + "; write one with `atelier plan ... > plan.json`");
        Plan read = PlanJson.read(Files.readString(file));
        if (!(read instanceof GeneratePlan generate)) {
            throw new AtelierException(file + " holds a plan of another kind (" + read.getClass().getSimpleName()
                    + "); generate renders generate plans — use `atelier create` for the others");
        }
        RegionalPrompt regional = generate.hasRegions()
                ? new RegionalPrompt(generate.layout(), generate.basePrompt(), generate.baseRatio()) : null;
        return new GenerationRequest(null, generate.prompt(), generate.negativePrompt(), generate.steps(), null,
                generate.guidance(), 0, generate.seed() != null ? generate.seed() : ThreadLocalRandom.current().nextLong(1L << 32),
                generate.width(), generate.height(), 1, null, 0.75, regional);
    }

    /** The --regions layout with its prompts; {@code basePrompt} (the whole picture's) is mixed in with --base-ratio. */
    private RegionalPrompt regionalPrompt(String basePrompt) {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse(regions), regionPrompts == null ? List.of() : regionPrompts);
        return new RegionalPrompt(layout, basePrompt, baseRatio != null ? baseRatio : GeneratePlan.DEFAULT_BASE_RATIO);
    }

    /** Runs the pipeline with a progress bar on {@code err}. */
    static GenerationResult render(StableDiffusionPipeline pipeline, GenerationRequest request, PrintWriter err) {
        TerminalProgress progress = new TerminalProgress(err);
        StepCallback bar = progress.begin("Generating", request.steps() * request.batchSize());
        boolean[] first = {true};
        try {
            GenerationResult result = pipeline.generate(request, event -> {
                if (first[0]) {
                    StartupClock.mark("text encoding and first UNet step");
                    first[0] = false;
                }
                return bar.onStep(event);
            });
            progress.end();
            return result;
        } finally {
            progress.abandon(); // only when the render failed: end() has already closed the bar
        }
    }

    private static List<Path> write(GenerationResult result, String modelName, Path out) throws IOException {
        List<Path> written = new ArrayList<>();
        List<GeneratedImage> images = result.images();
        for (int i = 0; i < images.size(); i++) {
            Path file = images.size() == 1 ? out : numbered(out, i + 1);
            GeneratedImage image = images.get(i);
            PngFiles.write(image.image(), GenerationMetadata.pngText(image.request(), modelName), file);
            written.add(file);
        }
        return written;
    }

    static Path numbered(Path file, int index) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = name.substring(0, dot) + "-" + index + name.substring(dot);
        return file.resolveSibling(numbered);
    }
}
