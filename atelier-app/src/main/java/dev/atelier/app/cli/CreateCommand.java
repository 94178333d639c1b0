package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.core.plan.RetrievePlan;
import dev.atelier.core.plan.SimilarImagePlan;
import dev.atelier.core.restore.SeamRestoration;
import dev.atelier.core.image.Images;
import dev.atelier.diffusion.pipeline.EditMetadata;
import dev.atelier.diffusion.pipeline.EditRequest;
import dev.atelier.diffusion.pipeline.EditResult;
import dev.atelier.diffusion.pipeline.GeneratedImage;
import dev.atelier.diffusion.pipeline.InpaintingPipeline;
import dev.atelier.diffusion.pipeline.OutpaintingPipeline;
import dev.atelier.diffusion.pipeline.OutpaintMetadata;
import dev.atelier.diffusion.pipeline.OutpaintExtension;
import dev.atelier.diffusion.pipeline.InstructPix2PixPipeline;
import dev.atelier.diffusion.pipeline.PipelineDirectory;
import dev.atelier.diffusion.pipeline.PipelineKind;
import dev.atelier.diffusion.pipeline.GenerationMetadata;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.GenerationResult;
import dev.atelier.diffusion.pipeline.RegionMasks;
import dev.atelier.diffusion.pipeline.RegionalPrompt;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.diffusion.tokenizer.ClipTokenizer;
import dev.atelier.planner.PlanRequest;
import dev.atelier.planner.PlanResult;
import dev.atelier.planner.PromptFit;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atelier create}: plan a request with a language model, print the plan, render it. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Plan a request with a language model, then render the plan: a new picture, or an edit of --image.",
                "The plan (JSON) goes to standard output and into the PNG's metadata (key atelier-plan)."},
        footer = {"", "Examples:",
                "  atelier create \"two cats on a sofa\"      # the configured models; writes two-cats-on-a-sofa-SEED.png",
                "  atelier create --llm gguf:./qwen2.5-3b.gguf --model ./sd15 \\",
                "      --out cats.png \"two cats on a sofa, one black, one white\"",
                "  atelier create --llm ollama:llava --model ./sd15 --edit-model instruct-pix2pix \\",
                "      --image lunch.jpg --out healthy.png \"make it more healthy\"",
                "  atelier create --llm ollama:llava --model sd-inpainting --image park.png --mask bench.png \\",
                "      --out bench.png \"a red wooden bench\"",
                "",
                "Edit plans need a model of their kind: InstructPix2Pix for instruction edits, inpainting with --mask",
                "(--edit-model, or --model when the call only edits)."})
final class CreateCommand implements Callable<Integer> {
    /** PNG text key of the plan that made the picture. */
    static final String PLAN_KEY = "atelier-plan";

    @Spec
    CommandSpec spec;

    @Mixin
    PlanCommand.Options planning;

    @Mixin
    RenderOptions render;

    @Mixin
    ModelOption model;

    @Mixin
    OutputOption output;

    @Option(names = "--edit-model", paramLabel = "MODEL",
            description = "Model for edit plans, so one call can have a text-to-image --model for new pictures: an "
                    + "InstructPix2Pix model for instruction edits, an inpainting model for edits with --mask and outpaints. "
                    + "Default: --model when given, else the configured edit-model or inpaint-model (see 'atelier config').")
    String editModel;

    @Option(names = "--image-guidance", paramLabel = "S_I",
            description = "For instruction edits: how closely to keep the picture (default: the plan's, 1.5).")
    Double imageGuidance;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (output.out != null) RenderOptions.requirePngOutput(output.out);
        String modelSpec = model.orDefault(UserSettings.Key.MODEL);
        // One question for everything a first run downloads (the diffusion model and the planner).
        ModelsCommand.ensureAvailable(java.util.Arrays.asList(modelSpec, PlanCommand.hubModelOf(planning.llm.orDefault())),
                planning.pull.yes, stderr);
        Path modelDir = ModelsCommand.resolveForUse(modelSpec, planning.pull.yes, stderr);
        // Only the folder's configs are read before planning; the pipeline the plan needs is loaded after it.
        PipelineDirectory directory = PipelineDirectory.open(modelDir);
        int size = directory.defaultImageSize();
        long chosenSeed = render.seed != null ? render.seed : ThreadLocalRandom.current().nextLong(1L << 32);
        // Prompts are fitted with the model's own tokenizer (every kind of model has one), so "fits" is exact.
        ClipTokenizer tokenizer = ClipTokenizer.fromHuggingFaceDir(directory.tokenizer());
        PromptFit fit = new PromptFit(text -> tokenizer.encode(text).length, PromptFit.CLIP_WINDOW);
        PlanResult planned = PlanCommand.plan(planning, new PlanRequest.RenderSettings(
                render.width != null ? render.width : size, render.height != null ? render.height : size,
                render.steps != null ? render.steps : 20, render.guidance != null ? render.guidance : 7.5, chosenSeed), fit);
        planning.printWarnings(stderr, planned);
        Plan plan = planned.plan();
        if (plan instanceof EditPlan e && imageGuidance != null) {
            plan = new EditPlan(e.instruction(), e.mode(), e.negativePrompt(), e.steps(), e.guidance(), imageGuidance, e.seed());
        }
        stdout.println(PlanJson.write(plan));
        return switch (plan) {
            case GeneratePlan g -> generate(plan, directory, stdout, stderr,
                    pipeline -> fromGeneratePlan(g, modelDir, render.schedulerKind(), pipeline, stderr));
            case SimilarImagePlan s -> generate(plan, directory, stdout, stderr,
                    pipeline -> new GenerationRequest(modelDir.toAbsolutePath().normalize().toString(), s.prompt(),
                            render.negative != null ? render.negative : s.negativePrompt(), render.steps != null ? render.steps : 20,
                            render.schedulerKind() != null ? render.schedulerKind() : pipeline.defaultScheduler(),
                            render.guidance != null ? render.guidance : 7.5, 0, chosenSeed,
                            render.width != null ? render.width : size, render.height != null ? render.height : size, 1, null, 0.75)
                            .withNoise(render.noiseKind()));
            case AnswerPlan a -> {
                stderr.println("note: the plan is an answer in words; there is nothing to render");
                yield 0;
            }
            case EditPlan e -> edit(e, directory, stdout, stderr);
            case RetrievePlan r -> throw new AtelierException("The plan is to find an existing picture (\"" + r.query()
                    + "\"); Atelier has no picture library yet. Ask to generate one instead.", null, 2);
        };
    }

    /** Renders a new picture with the text-to-image --model; the request is made once the pipeline is open. */
    private int generate(Plan plan, PipelineDirectory directory, PrintWriter stdout, PrintWriter stderr,
                         Function<StableDiffusionPipeline, GenerationRequest> requestFor) throws IOException {
        ModelKindCheck.require(directory, PipelineKind.TEXT_TO_IMAGE, "this new picture", "--model");
        try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(directory.root(), render.pipelineSettings())) {
            GenerationResult result = GenerateCommand.render(pipeline, requestFor.apply(pipeline), stderr);
            GeneratedImage image = result.images().getFirst();
            Path out = output.resolve(PlanCommand.joined(planning.words), image.seed());
            Map<String, String> text = new LinkedHashMap<>(GenerationMetadata.pngText(image.request(), pipeline.directory().name()));
            text.put(PLAN_KEY, PlanJson.write(plan));
            PngFiles.write(image.image(), text, out);
            stdout.printf(Locale.ROOT, "wrote %s (seed %d) in %.1f s%n", out, image.seed(), result.timings().total() / 1e9);
        }
        return 0;
    }

    /**
     * Renders an edit plan on the picture given with --image: an instruction edit with InstructPix2Pix (MGIE: the
     * plan's expressive instruction is the prompt), an inpaint with the mask file given with --mask.
     */
    private int edit(EditPlan plan, PipelineDirectory textToImage, PrintWriter stdout, PrintWriter stderr) throws IOException {
        switch (plan.mode()) {
            case EditPlan.Inpaint(EditPlan.DescribedMask described) -> throw new AtelierException("The plan repaints an area "
                    + "described in words (\"" + described.description() + "\"), and Atelier cannot find areas in a picture "
                    + "yet; draw a mask (white = repaint, black = keep, the picture's size) and pass it with --mask FILE.", null, 2);
            default -> { }
        }
        if (planning.picture.image == null) {
            throw new AtelierException("The plan is an edit but no picture was given; pass the picture with --image FILE.");
        }
        // --edit-model, else an explicit --model (a call that only edits), else the configured model for this edit.
        boolean useModel = editModel == null && model.model != null;
        String editSpec = editModel != null ? editModel : model.orDefault(plan.mode() instanceof EditPlan.InstructionEdit
                ? UserSettings.Key.EDIT_MODEL : UserSettings.Key.INPAINT_MODEL);
        if (!useModel) ModelsCommand.ensureAvailable(java.util.List.of(editSpec), planning.pull.yes, stderr);
        Path modelDir = useModel ? textToImage.root() : ModelsCommand.resolveForUse(editSpec, planning.pull.yes, stderr);
        PipelineDirectory directory = useModel ? textToImage : PipelineDirectory.open(modelDir);
        String option = useModel ? "--model" : "--edit-model";
        BufferedImage source = Images.read(planning.picture.image);
        long seed = plan.seed() != null ? plan.seed() : ThreadLocalRandom.current().nextLong(1L << 32);
        EditResult result;
        PipelineKind kind;
        Map<String, String> text = new LinkedHashMap<>();
        if (plan.mode() instanceof EditPlan.Outpaint o) {
            kind = ModelKindCheck.require(directory, PipelineKind.INPAINTING, "this outpaint", option);
            OutpaintExtension extension = OutpaintExtension.of(o.left(), o.top(), o.right(), o.bottom());
            BufferedImage canvas = OutpaintingPipeline.extendCanvas(source, extension);
            SeamRestoration restoration = new SeamRestoration(SeamRestoration.DEFAULT_BAND);
            try (OutpaintingPipeline pipeline = OutpaintingPipeline.load(modelDir, render.pipelineSettings())) {
                EditRequest request = editRequest(plan, modelDir, canvas, pipeline.defaultScheduler(), 1, seed, null);
                result = EditCommand.withProgress("Outpainting", request.steps(), stderr,
                        cb -> pipeline.outpaint(source, extension, request, restoration, cb));
            }
            text.putAll(OutpaintMetadata.pngText(result.request(), extension, restoration.band(), directory.name()));
        } else if (plan.mode() instanceof EditPlan.Inpaint(EditPlan.MaskFile file)) {
            kind = ModelKindCheck.require(directory, PipelineKind.INPAINTING, "this inpaint (an edit with --mask)", option);
            Path maskFile = Path.of(file.path());
            BufferedImage mask = Images.read(maskFile);
            try (InpaintingPipeline pipeline = InpaintingPipeline.load(modelDir, render.pipelineSettings())) {
                EditRequest request = editRequest(plan, modelDir, source, pipeline.defaultScheduler(), 1, seed, maskFile);
                result = EditCommand.withProgress("Inpainting", request.steps(), stderr,
                        cb -> pipeline.inpaint(source, mask, request, cb));
            }
        } else {
            kind = ModelKindCheck.require(directory, PipelineKind.INSTRUCT_PIX2PIX, "this instruction edit", option);
            try (InstructPix2PixPipeline pipeline = InstructPix2PixPipeline.load(modelDir, render.pipelineSettings())) {
                EditRequest request = editRequest(plan, modelDir, source, pipeline.defaultScheduler(), plan.imageGuidance(),
                        seed, null);
                result = EditCommand.withProgress("Editing", request.steps(), stderr, cb -> pipeline.edit(source, request, cb));
            }
        }
        if (text.isEmpty()) text.putAll(EditMetadata.pngText(result.request(), kind, directory.name()));
        text.put(PLAN_KEY, PlanJson.write(plan));
        Path out = output.resolve(PlanCommand.joined(planning.words), result.request().seed());
        PngFiles.write(result.image(), text, out);
        stdout.printf(Locale.ROOT, "wrote %s (seed %d) in %.1f s%n", out, result.request().seed(), result.timings().total() / 1e9);
        return 0;
    }

    /** The plan's prompt, steps, guidance and seed; the size is the picture's (or --width/--height), as in edit. */
    private EditRequest editRequest(EditPlan plan, Path modelDir, BufferedImage source, SchedulerKind defaultScheduler,
                                    double imageScale, long seed, Path maskFile) {
        return EditCommand.request(render, modelDir, plan.instruction(), source, defaultScheduler, plan.guidance(),
                        imageScale, planning.picture.image, maskFile)
                .withSteps(plan.steps())
                .withSeed(seed)
                .withNegativePrompt(render.negative != null ? render.negative : plan.negativePrompt());
    }

    private GenerationRequest fromGeneratePlan(GeneratePlan plan, Path modelDir, SchedulerKind kind,
                                               StableDiffusionPipeline pipeline, PrintWriter err) {
        String prompt = plan.prompt();
        RegionalPrompt regions = null;
        if (plan.hasRegions()) {
            try {
                RegionMasks.of(plan.layout(), plan.width() / 8, plan.height() / 8);
                regions = new RegionalPrompt(plan.layout(), plan.basePrompt(), plan.baseRatio());
            } catch (AtelierException e) {
                // A layout the latent cannot hold: render one prompt for the whole picture, and say which.
                boolean base = plan.basePrompt() != null;
                prompt = base ? plan.basePrompt() : plan.prompt();
                err.println("note: the plan's layout cannot be rendered (" + e.getMessage() + "), so its "
                        + (base ? "base prompt" : "whole-picture prompt") + " is rendered instead");
            }
        }
        return new GenerationRequest(modelDir.toAbsolutePath().normalize().toString(), prompt,
                render.negative != null ? render.negative : plan.negativePrompt(), plan.steps(),
                kind != null ? kind : pipeline.defaultScheduler(), plan.guidance(), 0,
                plan.seed() != null ? plan.seed() : ThreadLocalRandom.current().nextLong(1L << 32),
                plan.width(), plan.height(), 1, null, 0.75, regions, render.noiseKind());
    }
}
