package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import dev.atelier.assistant.PlanRenderer;
import dev.atelier.assistant.RetrievalDecision;
import dev.atelier.assistant.VisionChatCaptioner;
import dev.atelier.llm.ChatModel;
import dev.atelier.vision.caption.Captioner;
import dev.atelier.core.image.Images;
import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.diffusion.pipeline.PipelineDirectory;
import dev.atelier.diffusion.tokenizer.ClipTokenizer;
import dev.atelier.library.PictureLibrary;
import dev.atelier.planner.PlanRequest;
import dev.atelier.planner.PlanResult;
import dev.atelier.planner.PromptFit;
import dev.atelier.vision.clip.ImageTextEmbedder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
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
                "  atelier create --library ~/pictures-index \"find a photo of a lighthouse\"   # retrieve or generate",
                "",
                "Edit plans need a model of their kind: InstructPix2Pix for instruction edits, inpainting with --mask",
                "(--edit-model, or --model when the call only edits). Retrieve plans return the --library's best match",
                "when it is similar enough (--retrieve-threshold), and generate otherwise."})
final class CreateCommand implements Callable<Integer> {
    /** PNG text key of the plan that made the picture. */
    static final String PLAN_KEY = PlanRenderer.PLAN_KEY;

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

    @Mixin
    AssistantOptions assistant;

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
        assistant.check();
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
        describeImage(stderr);
        PlanResult planned = PlanCommand.plan(planning, new PlanRequest.RenderSettings(
                render.width != null ? render.width : size, render.height != null ? render.height : size,
                render.steps != null ? render.steps : 20, render.guidance != null ? render.guidance : 7.5, chosenSeed), fit);
        planning.printWarnings(stderr, planned);
        PlanRenderer.Overrides overrides = new PlanRenderer.Overrides(render.negative, render.steps, render.schedulerKind(),
                render.guidance, chosenSeed, render.width, render.height, imageGuidance, render.noiseKind());
        PlanRenderer.Models models = new PlanRenderer.Models(modelDir,
                AssistantOptions.editModels(editModel, model, modelDir, planning.pull.yes, stderr), render.pipelineSettings(), "--model");
        try (ImageTextEmbedder clip = assistant.openClip(planning.pull.yes, stderr);
             PictureLibrary library = assistant.openLibrary(clip);
             PlanRenderer renderer = new PlanRenderer(models, overrides, library, clip, assistant.policy(), new TerminalProgress(stderr))) {
            Plan plan = renderer.withOverrides(planned.plan());
            stdout.println(PlanJson.write(plan));
            if (plan instanceof AnswerPlan) {
                stderr.println("note: the plan is an answer in words; there is nothing to render");
                return 0;
            }
            Path image = planning.picture.image;
            PlanRenderer.Source source = image == null ? null : new PlanRenderer.Source(Images.read(image), image);
            PlanRenderer.Result result = renderer.render(plan, source, output.resolve(PlanCommand.joined(planning.words), chosenSeed), null);
            for (String note : result.notes()) stderr.println("note: " + note);
            if (result.retrieval() != null) stdout.println(describe(result.retrieval()));
            for (PlanRenderer.Rendered r : result.pictures()) {
                stdout.printf(Locale.ROOT, "wrote %s%s%s in %.1f s%n", r.file(), r.seed() == null ? "" : " (seed " + r.seed() + ")",
                        r.clipScore() == null ? "" : String.format(Locale.ROOT, ", CLIP score %.1f", r.clipScore()), r.seconds());
            }
        }
        return 0;
    }

    /**
     * Captions --image with --captioner or --vision when no --caption is given, so a planner that cannot see plans
     * similar pictures and MGIE edits from the description.
     */
    private void describeImage(PrintWriter stderr) {
        Path image = planning.picture.image;
        if (image == null || planning.caption != null || (assistant.captioner == null && assistant.vision == null)) return;
        java.awt.image.BufferedImage picture = Images.read(image);
        try (Captioner captioner = assistant.openCaptioner(planning.pull.yes, stderr);
             ChatModel vision = captioner == null ? assistant.openVision(planning.pull.yes) : null) {
            planning.caption = (captioner != null ? captioner : new VisionChatCaptioner(vision)).caption(picture);
        }
        stderr.println("note: the picture shows: " + planning.caption);
    }

    /** One line about GILL's decision: what was returned or generated, and why. */
    static String describe(RetrievalDecision r) {
        if (r.choice() == RetrievalDecision.Choice.RETRIEVED) {
            return String.format(Locale.ROOT, "retrieved %s (similarity %.3f%s)", r.candidate(), r.score(),
                    r.forced() ? ", forced" : " ≥ " + r.threshold());
        }
        if (r.score() == null) return "generated: no library match";
        return String.format(Locale.ROOT, "generated: the best library match %s has similarity %.3f%s", r.candidate(), r.score(),
                r.forced() ? " (forced)" : " < " + r.threshold());
    }
}
