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
import dev.atelier.diffusion.onnx.Device;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.diffusion.pipeline.GeneratedImage;
import dev.atelier.diffusion.pipeline.GenerationMetadata;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.GenerationResult;
import dev.atelier.diffusion.pipeline.PipelineSettings;
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

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "Pipeline folder in the optimum ONNX layout, or a preset / hub id pulled with 'atelier models pull'.")
    String model;

    @Option(names = "--negative", paramLabel = "TEXT", description = "What to steer away from (replaces the plan's negative prompt).")
    String negative;

    @Option(names = "--steps", paramLabel = "N", description = "Denoising steps (default 20).")
    Integer steps;

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "ddim, euler, euler-a, dpmpp-2m, dpmpp-2m-karras or lcm (default: the model's own).")
    String scheduler;

    @Option(names = "--guidance", paramLabel = "W", description = "Classifier-free guidance scale (default 7.5).")
    Double guidance;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: a new one, printed).")
    Long seed;

    @Option(names = "--width", paramLabel = "W", description = "Width in pixels, a multiple of 8 (default: the model's size).")
    Integer width;

    @Option(names = "--height", paramLabel = "H", description = "Height in pixels, a multiple of 8 (default: the model's size).")
    Integer height;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu", description = "cpu or cuda. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--out", paramLabel = "FILE.png", required = true, description = "Where to write the PNG.")
    Path out;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new AtelierException("--out must name a .png file (the plan is stored in its text chunks): " + out);
        }
        SchedulerKind kind = scheduler == null ? null : SchedulerKind.fromCliName(scheduler);
        Device dev = Device.parse(device);
        Path modelDir = ModelsCommand.resolveForUse(model, planning.pull, stderr);
        PipelineSettings settings = PipelineSettings.defaults().withSessions(SessionSettings.defaults().withDevice(dev));
        try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(modelDir, settings)) {
            int size = pipeline.directory().defaultImageSize();
            long chosenSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 32);
            // Prompts are fitted with the model's own tokenizer, so "fits the window" is exact for this model.
            ClipTokenizer tokenizer = ClipTokenizer.fromHuggingFaceDir(pipeline.directory().tokenizer());
            PromptFit fit = new PromptFit(text -> tokenizer.encode(text).length, PromptFit.CLIP_WINDOW);
            PlanResult planned = PlanCommand.plan(planning, new PlanRequest.RenderSettings(
                    width != null ? width : size, height != null ? height : size, steps != null ? steps : 20,
                    guidance != null ? guidance : 7.5, chosenSeed), fit);
            planning.printWarnings(stderr, planned);
            Plan plan = planned.plan();
            stdout.println(PlanJson.write(plan));
            GenerationRequest request = switch (plan) {
                case GeneratePlan g -> fromGeneratePlan(g, modelDir, kind, pipeline, stderr);
                case SimilarImagePlan s -> new GenerationRequest(modelDir.toAbsolutePath().normalize().toString(), s.prompt(),
                        negative != null ? negative : s.negativePrompt(), steps != null ? steps : 20,
                        kind != null ? kind : pipeline.defaultScheduler(), guidance != null ? guidance : 7.5, 0, chosenSeed,
                        width != null ? width : size, height != null ? height : size, 1, null, 0.75);
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
            GenerationResult result = pipeline.generate(request);
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
        if (plan.hasRegions()) {
            // Regional diffusion is not built yet: render one prompt for the whole picture, and say which.
            boolean base = plan.basePrompt() != null;
            prompt = base ? plan.basePrompt() : plan.prompt();
            err.println("note: the plan has " + plan.layout().regionCount() + " regions; regional diffusion is not built yet, so its "
                    + (base ? "base prompt" : "whole-picture prompt") + " is rendered");
        }
        return new GenerationRequest(modelDir.toAbsolutePath().normalize().toString(), prompt,
                negative != null ? negative : plan.negativePrompt(), plan.steps(),
                kind != null ? kind : pipeline.defaultScheduler(), plan.guidance(), 0,
                plan.seed() != null ? plan.seed() : ThreadLocalRandom.current().nextLong(1L << 32),
                plan.width(), plan.height(), 1, null, 0.75);
    }

    private static String describe(EditPlan.Mode mode) {
        return switch (mode) {
            case EditPlan.InstructionEdit i -> "instruction edit";
            case EditPlan.Inpaint i -> "inpaint";
            case EditPlan.Outpaint o -> "outpaint";
        };
    }
}
