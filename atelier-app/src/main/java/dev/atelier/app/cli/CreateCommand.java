package dev.atelier.app.cli;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.core.plan.RetrievePlan;
import dev.atelier.core.plan.SimilarImagePlan;
import dev.atelier.diffusion.pipeline.GeneratedImage;
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
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atelier create}: plan a request with a language model, print the plan, render it. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Plan a request with a language model, then render the plan.",
                "The plan (JSON) goes to standard output and into the PNG's metadata (key atelier-plan)."},
        footer = {"", "Examples:",
                "  atelier create --llm gguf:./qwen2.5-3b.gguf --model ./sd15 \\",
                "      --out cats.png \"two cats on a sofa, one black, one white\""})
final class CreateCommand implements Callable<Integer> {
    /** PNG text key of the plan that made the picture. */
    static final String PLAN_KEY = "atelier-plan";

    @Spec
    CommandSpec spec;

    @Mixin
    PlanCommand.Options planning;

    @Mixin
    RenderOptions render;

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "Pipeline folder in the optimum ONNX layout, or a preset / hub id pulled with 'atelier models pull'.")
    String model;

    @Option(names = "--out", paramLabel = "FILE.png", required = true, description = "Where to write the PNG.")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        RenderOptions.requirePngOutput(out);
        SchedulerKind kind = render.schedulerKind();
        Path modelDir = ModelsCommand.resolveForUse(model, planning.pull, stderr);
        try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(modelDir, render.pipelineSettings())) {
            int size = pipeline.directory().defaultImageSize();
            long chosenSeed = render.seed != null ? render.seed : ThreadLocalRandom.current().nextLong(1L << 32);
            // Prompts are fitted with the model's own tokenizer, so "fits the window" is exact for this model.
            ClipTokenizer tokenizer = ClipTokenizer.fromHuggingFaceDir(pipeline.directory().tokenizer());
            PromptFit fit = new PromptFit(text -> tokenizer.encode(text).length, PromptFit.CLIP_WINDOW);
            PlanResult planned = PlanCommand.plan(planning, new PlanRequest.RenderSettings(
                    render.width != null ? render.width : size, render.height != null ? render.height : size,
                    render.steps != null ? render.steps : 20, render.guidance != null ? render.guidance : 7.5, chosenSeed), fit);
            planning.printWarnings(stderr, planned);
            Plan plan = planned.plan();
            stdout.println(PlanJson.write(plan));
            GenerationRequest request = switch (plan) {
                case GeneratePlan g -> fromGeneratePlan(g, modelDir, kind, pipeline, stderr);
                case SimilarImagePlan s -> new GenerationRequest(modelDir.toAbsolutePath().normalize().toString(), s.prompt(),
                        render.negative != null ? render.negative : s.negativePrompt(), render.steps != null ? render.steps : 20,
                        kind != null ? kind : pipeline.defaultScheduler(), render.guidance != null ? render.guidance : 7.5, 0, chosenSeed,
                        render.width != null ? render.width : size, render.height != null ? render.height : size, 1, null, 0.75);
                case AnswerPlan a -> null;
                case EditPlan e -> throw new AtelierException("The plan is an edit (" + describe(e.mode()) + "); rendering edits is not "
                        + "built yet in this version of Atelier. The plan above can be saved and rendered later.", null, 2);
                case RetrievePlan r -> throw new AtelierException("The plan is to find an existing picture (\"" + r.query()
                        + "\"); Atelier has no picture library yet. Ask to generate one instead.", null, 2);
            };
            if (request == null) {
                stderr.println("note: the plan is an answer in words; there is nothing to render");
                return 0;
            }
            GenerationResult result = GenerateCommand.render(pipeline, request, stderr);
            GeneratedImage image = result.images().getFirst();
            Map<String, String> text = new LinkedHashMap<>(GenerationMetadata.pngText(image.request(), pipeline.directory().name()));
            text.put(PLAN_KEY, PlanJson.write(plan));
            PngFiles.write(image.image(), text, out);
            stdout.printf(Locale.ROOT, "wrote %s (seed %d) in %.1f s%n", out, image.seed(), result.timings().total() / 1e9);
        }
        return 0;
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
                plan.width(), plan.height(), 1, null, 0.75, regions);
    }

    private static String describe(EditPlan.Mode mode) {
        return switch (mode) {
            case EditPlan.InstructionEdit i -> "instruction edit";
            case EditPlan.Inpaint i -> "inpaint";
            case EditPlan.Outpaint o -> "outpaint";
        };
    }
}
