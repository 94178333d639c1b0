package dev.atelier.assistant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.core.plan.RetrievePlan;
import dev.atelier.core.plan.SimilarImagePlan;
import dev.atelier.core.restore.SeamRestoration;
import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.pipeline.EditMetadata;
import dev.atelier.diffusion.pipeline.EditRequest;
import dev.atelier.diffusion.pipeline.EditResult;
import dev.atelier.diffusion.pipeline.GeneratedImage;
import dev.atelier.diffusion.pipeline.GenerationMetadata;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.GenerationResult;
import dev.atelier.diffusion.pipeline.InpaintingPipeline;
import dev.atelier.diffusion.pipeline.InstructPix2PixPipeline;
import dev.atelier.diffusion.pipeline.OutpaintExtension;
import dev.atelier.diffusion.pipeline.OutpaintMetadata;
import dev.atelier.diffusion.pipeline.OutpaintingPipeline;
import dev.atelier.diffusion.pipeline.PipelineDirectory;
import dev.atelier.diffusion.pipeline.PipelineKind;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.pipeline.RegionMasks;
import dev.atelier.diffusion.pipeline.RegionalPrompt;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.diffusion.pipeline.StepCallback;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.library.LibraryMatch;
import dev.atelier.library.PictureLibrary;
import dev.atelier.vision.clip.ClipScore;
import dev.atelier.vision.clip.ImageTextEmbedder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Renders any plan: a new picture (one prompt, or regions by regional diffusion), a picture like a given one, an
 * instruction edit (InstructPix2Pix), an inpaint with a mask file, an outpaint with seam restoration, an answer, or a
 * retrieve plan (GILL: the library's best match above a threshold, otherwise a generated picture). Each picture is
 * written as a PNG carrying the plan, the request that repeats it and, with a CLIP model, its CLIP score. Pipelines
 * stay loaded between renders (a conversation renders many) until {@link #close()}.
 */
public final class PlanRenderer implements AutoCloseable {
    /** PNG text key of the plan that made the picture. */
    public static final String PLAN_KEY = "atelier-plan";
    /** PNG text key of the CLIP score (100 · cosine of the picture and its prompt). */
    public static final String CLIP_SCORE_KEY = "atelier-clip-score";
    /** PNG text key of a retrieve plan's decision (JSON). */
    public static final String RETRIEVAL_KEY = "atelier-retrieval";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A model folder for edits and the option that names it, for errors that say where the right model goes. */
    public record EditModel(Path dir, String option) {}

    /**
     * The diffusion models: {@code textToImage} for new pictures; {@code editModels} gives the folder for an edit
     * that needs a model of the given kind (InstructPix2Pix or inpainting), resolved only when such an edit comes.
     */
    public record Models(Path textToImage, java.util.function.Function<PipelineKind, EditModel> editModels,
                         PipelineSettings pipelineSettings, String textToImageOption) {
        public Models {
            if (pipelineSettings == null) pipelineSettings = PipelineSettings.defaults();
            if (textToImageOption == null) textToImageOption = "--model";
            if (editModels == null) {
                Path fallback = textToImage;
                String option = textToImageOption;
                editModels = kind -> new EditModel(fallback, option);
            }
        }

        /** One folder for every edit ({@code editModel}, named by --edit-model), or the text-to-image one when null. */
        public Models(Path textToImage, Path editModel, PipelineSettings pipelineSettings) {
            this(textToImage, editModel == null ? null : kind -> new EditModel(editModel, "--edit-model"), pipelineSettings, null);
        }
    }

    /** Settings the person chose that win over the plan's; null fields leave the plan's (or the model's) own. */
    public record Overrides(String negative, Integer steps, SchedulerKind scheduler, Double guidance, Long seed,
                            Integer width, Integer height, Double imageGuidance, NoiseKind noise) {
        public static final Overrides NONE = new Overrides(null, null, null, null, null, null, null, null, null);

        public Overrides {
            if (width == null != (height == null)) {
                throw new AtelierException("give both --width and --height, or neither to keep the picture's size");
            }
        }
    }

    /** The picture an edit or similar plan starts from, and the file it came from (kept in the PNG's record). */
    public record Source(BufferedImage image, Path file) {}

    /** One picture written. {@code retrievedFrom} is the library file of a retrieved picture, else null. */
    public record Rendered(Path file, BufferedImage image, Long seed, String prompt, Double clipScore, double seconds,
                           ConversationPicture.Origin origin, String retrievedFrom) {}

    /** What a plan gave: pictures written, or an answer, and for retrieve plans the decision. */
    public record Result(List<Rendered> pictures, String answer, RetrievalDecision retrieval, List<String> notes) {
        public Result {
            pictures = List.copyOf(pictures);
            notes = List.copyOf(notes);
        }
    }

    private final Models models;
    private final Overrides overrides;
    private final PictureLibrary library;
    private final ImageTextEmbedder clip;
    private final RetrievalPolicy policy;
    private final RenderProgress progress;
    private final Map<String, AutoCloseable> loaded = new LinkedHashMap<>();

    /**
     * @param library the picture library for retrieve plans, or null (then they generate)
     * @param clip    the CLIP model that scores each picture against its prompt, or null
     */
    public PlanRenderer(Models models, Overrides overrides, PictureLibrary library, ImageTextEmbedder clip,
                        RetrievalPolicy policy, RenderProgress progress) {
        this.models = models;
        this.overrides = overrides == null ? Overrides.NONE : overrides;
        this.library = library;
        this.clip = clip;
        this.policy = policy == null ? RetrievalPolicy.DEFAULTS : policy;
        this.progress = progress == null ? RenderProgress.NONE : progress;
    }

    /** The plan with the person's overrides applied where the plan stores them (image guidance, seed). */
    public Plan withOverrides(Plan plan) {
        if (plan instanceof EditPlan e && overrides.imageGuidance() != null) return e.withImageGuidance(overrides.imageGuidance());
        return plan;
    }

    /**
     * Renders {@code plan} into {@code out} (a .png file). {@code source} is the picture edit and similar plans
     * start from (null for none); {@code remakeSeed} is the seed of the picture a generate plan remakes, or null.
     */
    public Result render(Plan plan, Source source, Path out, Long remakeSeed) {
        List<String> notes = new ArrayList<>();
        return switch (plan) {
            case GeneratePlan g -> new Result(List.of(generate(plan, g.prompt(), out, notes,
                    pipeline -> fromGeneratePlan(g, remakeSeed, pipeline, notes))), null, null, notes);
            case SimilarImagePlan s -> new Result(List.of(generate(plan, s.prompt(), out, notes,
                    pipeline -> plainRequest(s.prompt(), s.negativePrompt(), pipeline))), null, null, notes);
            case AnswerPlan a -> new Result(List.of(), a.text(), null, notes);
            case EditPlan e -> new Result(List.of(edit(e, source, out)), null, null, notes);
            case RetrievePlan r -> retrieve(r, out, notes);
        };
    }

    private Result retrieve(RetrievePlan plan, Path out, List<String> notes) {
        LibraryMatch best = null;
        if (library == null) {
            notes.add("no picture library was given (--library DIR), so the picture is generated");
        } else {
            List<LibraryMatch> matches = library.search(plan.query(), 1);
            best = matches.isEmpty() ? null : matches.getFirst();
        }
        RetrievalDecision decision = library == null
                ? new RetrievalDecision(RetrievalDecision.Choice.GENERATED, false, policy.threshold(), null, null, null)
                : policy.decide(best);
        if (decision.choice() == RetrievalDecision.Choice.RETRIEVED) {
            long start = System.nanoTime();
            BufferedImage found = Images.read(best.path());
            Map<String, String> text = new LinkedHashMap<>();
            text.put(PLAN_KEY, PlanJson.write(plan));
            text.put(RETRIEVAL_KEY, json(decision));
            Double score = clipScore(found, plan.query(), text);
            write(found, text, out);
            return new Result(List.of(new Rendered(out, found, null, plan.query(), score, (System.nanoTime() - start) / 1e9,
                    ConversationPicture.Origin.RETRIEVED, best.path().toString())), null, decision, notes);
        }
        if (best != null && !decision.forced()) {
            notes.add(String.format(Locale.ROOT, "the library's best match (%s) has similarity %.3f, below %.2f, so the picture is generated",
                    best.path(), best.score(), policy.threshold()));
        }
        Rendered made = generate(plan, plan.query(), out, notes, pipeline -> plainRequest(plan.query(), "", pipeline),
                Map.of(RETRIEVAL_KEY, json(decision)));
        return new Result(List.of(made), null, decision, notes);
    }

    private Rendered generate(Plan plan, String prompt, Path out, List<String> notes,
                              Function<StableDiffusionPipeline, GenerationRequest> requestFor) {
        return generate(plan, prompt, out, notes, requestFor, Map.of());
    }

    /** Renders a new picture with the text-to-image model; the request is made once the pipeline is open. */
    private Rendered generate(Plan plan, String prompt, Path out, List<String> notes,
                              Function<StableDiffusionPipeline, GenerationRequest> requestFor, Map<String, String> extra) {
        PipelineDirectory directory = PipelineDirectory.open(models.textToImage());
        ModelKinds.require(directory, PipelineKind.TEXT_TO_IMAGE, "this new picture", models.textToImageOption());
        StableDiffusionPipeline pipeline = pipeline("t2i", models.textToImage(), StableDiffusionPipeline::load);
        GenerationRequest request = requestFor.apply(pipeline);
        StepCallback callback = progress.begin("Generating", request.steps() * request.batchSize());
        GenerationResult result;
        try {
            result = pipeline.generate(request, callback);
        } finally {
            progress.end();
        }
        GeneratedImage image = result.images().getFirst();
        Map<String, String> text = new LinkedHashMap<>(GenerationMetadata.pngText(image.request(), pipeline.directory().name()));
        text.put(PLAN_KEY, PlanJson.write(plan));
        text.putAll(extra);
        Double score = clipScore(image.image(), prompt, text);
        write(image.image(), text, out);
        return new Rendered(out, image.image(), image.seed(), image.request().prompt(), score, result.timings().total() / 1e9,
                ConversationPicture.Origin.GENERATED, null);
    }

    /**
     * Renders an edit plan on its source picture: an instruction edit with InstructPix2Pix (MGIE: the plan's
     * expressive instruction is the prompt), an inpaint with a mask file, an outpaint with seam restoration.
     */
    private Rendered edit(EditPlan plan, Source source, Path out) {
        if (plan.mode() instanceof EditPlan.Inpaint(EditPlan.DescribedMask described)) {
            throw new AtelierException("The plan repaints an area described in words (\"" + described.description()
                    + "\"), and Atelier cannot find areas in a picture yet; draw a mask (white = repaint, black = keep, the "
                    + "picture's size) and pass it with --mask FILE.", null, 2);
        }
        if (source == null) {
            throw new AtelierException("The plan changes a picture, but none was given; pass it with --image FILE (in chat: /image FILE).");
        }
        EditModel editModel = models.editModels().apply(plan.mode() instanceof EditPlan.InstructionEdit
                ? PipelineKind.INSTRUCT_PIX2PIX : PipelineKind.INPAINTING);
        Path modelDir = editModel.dir();
        String option = editModel.option();
        PipelineDirectory directory = PipelineDirectory.open(modelDir);
        BufferedImage image = source.image();
        long seed = plan.seed() != null ? plan.seed() : overrides.seed() != null ? overrides.seed() : randomSeed();
        EditResult result;
        PipelineKind kind;
        Map<String, String> text = new LinkedHashMap<>();
        if (plan.mode() instanceof EditPlan.Outpaint o) {
            kind = ModelKinds.require(directory, PipelineKind.INPAINTING, "this outpaint", option);
            OutpaintExtension extension = OutpaintExtension.of(o.left(), o.top(), o.right(), o.bottom());
            BufferedImage canvas = OutpaintingPipeline.extendCanvas(image, extension);
            SeamRestoration restoration = new SeamRestoration(SeamRestoration.DEFAULT_BAND);
            OutpaintingPipeline pipeline = pipeline("outpaint", modelDir, OutpaintingPipeline::load);
            EditRequest request = editRequest(plan, modelDir, canvas, pipeline.defaultScheduler(), 1, seed, source.file(), null);
            result = withProgress("Outpainting", request.steps(), cb -> pipeline.outpaint(image, extension, request, restoration, cb));
            text.putAll(OutpaintMetadata.pngText(result.request(), extension, restoration.band(), directory.name()));
        } else if (plan.mode() instanceof EditPlan.Inpaint(EditPlan.MaskFile file)) {
            kind = ModelKinds.require(directory, PipelineKind.INPAINTING, "this inpaint (an edit with --mask)", option);
            Path maskFile = Path.of(file.path());
            BufferedImage mask = Images.read(maskFile);
            InpaintingPipeline pipeline = pipeline("inpaint", modelDir, InpaintingPipeline::load);
            EditRequest request = editRequest(plan, modelDir, image, pipeline.defaultScheduler(), 1, seed, source.file(), maskFile);
            result = withProgress("Inpainting", request.steps(), cb -> pipeline.inpaint(image, mask, request, cb));
        } else {
            kind = ModelKinds.require(directory, PipelineKind.INSTRUCT_PIX2PIX, "this instruction edit", option);
            InstructPix2PixPipeline pipeline = pipeline("ip2p", modelDir, InstructPix2PixPipeline::load);
            EditRequest request = editRequest(plan, modelDir, image, pipeline.defaultScheduler(), plan.imageGuidance(), seed,
                    source.file(), null);
            result = withProgress("Editing", request.steps(), cb -> pipeline.edit(image, request, cb));
        }
        if (text.isEmpty()) text.putAll(EditMetadata.pngText(result.request(), kind, directory.name()));
        text.put(PLAN_KEY, PlanJson.write(plan));
        Double score = clipScore(result.image(), plan.instruction(), text);
        write(result.image(), text, out);
        return new Rendered(out, result.image(), result.request().seed(), plan.instruction(), score,
                result.timings().total() / 1e9, ConversationPicture.Origin.EDITED, null);
    }

    private EditResult withProgress(String task, int steps, Function<StepCallback, EditResult> work) {
        StepCallback callback = progress.begin(task, steps);
        try {
            return work.apply(callback);
        } finally {
            progress.end();
        }
    }

    /** The plan's prompt, steps, guidance and seed; the size is the picture's (rounded down to 8) or the override. */
    private EditRequest editRequest(EditPlan plan, Path modelDir, BufferedImage image, SchedulerKind defaultScheduler,
                                    double imageScale, long seed, Path imageFile, Path maskFile) {
        if (overrides.noise() == NoiseKind.TORCH_CPU) {
            // the edit pipelines still draw from Atelier's generator; say so rather than ignore the option
            throw new AtelierException("--noise torch-cpu applies to text-to-image (generate, create) only; editing, "
                    + "inpainting and outpainting use --noise atelier, their only generator so far");
        }
        return new EditRequest(
                modelDir.toAbsolutePath().normalize().toString(),
                plan.instruction(),
                overrides.negative() != null ? overrides.negative() : plan.negativePrompt(),
                plan.steps(),
                overrides.scheduler() != null ? overrides.scheduler() : defaultScheduler,
                plan.guidance(),
                imageScale,
                seed,
                overrides.width() != null ? overrides.width() : Math.max(8, image.getWidth() / 8 * 8),
                overrides.height() != null ? overrides.height() : Math.max(8, image.getHeight() / 8 * 8),
                imageFile == null ? null : imageFile.toAbsolutePath().normalize().toString(),
                maskFile == null ? null : maskFile.toAbsolutePath().normalize().toString());
    }

    /** A one-prompt request at the model's defaults, with the person's overrides. */
    private GenerationRequest plainRequest(String prompt, String negative, StableDiffusionPipeline pipeline) {
        SchedulerKind kind = overrides.scheduler() != null ? overrides.scheduler() : pipeline.defaultScheduler();
        int size = pipeline.directory().defaultImageSize();
        return new GenerationRequest(models.textToImage().toAbsolutePath().normalize().toString(), prompt,
                overrides.negative() != null ? overrides.negative() : negative,
                overrides.steps() != null ? overrides.steps() : pipeline.samplingDefaults().steps(kind), kind,
                overrides.guidance() != null ? overrides.guidance() : pipeline.samplingDefaults().guidance(kind), 0,
                overrides.seed() != null ? overrides.seed() : randomSeed(),
                overrides.width() != null ? overrides.width() : size, overrides.height() != null ? overrides.height() : size,
                1, null, 0.75).withNoise(overrides.noise());
    }

    private GenerationRequest fromGeneratePlan(GeneratePlan plan, Long remakeSeed, StableDiffusionPipeline pipeline,
                                               List<String> notes) {
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
                notes.add("the plan's layout cannot be rendered (" + e.getMessage() + "), so its "
                        + (base ? "base prompt" : "whole-picture prompt") + " is rendered instead");
            }
        }
        // A remake of an earlier picture keeps its seed, so the refined prompt changes what it asks and little else.
        long seed = plan.seed() != null ? plan.seed() : remakeSeed != null ? remakeSeed : randomSeed();
        return new GenerationRequest(models.textToImage().toAbsolutePath().normalize().toString(), prompt,
                overrides.negative() != null ? overrides.negative() : plan.negativePrompt(), plan.steps(),
                overrides.scheduler() != null ? overrides.scheduler() : pipeline.defaultScheduler(), plan.guidance(), 0,
                seed, plan.width(), plan.height(), 1, null, 0.75, regions, overrides.noise());
    }

    /** CLIP score of the picture against its prompt, put into the PNG text; null without a CLIP model. */
    private Double clipScore(BufferedImage image, String prompt, Map<String, String> text) {
        if (clip == null) return null;
        double score = ClipScore.of(clip, image, prompt);
        text.put(CLIP_SCORE_KEY, String.format(Locale.ROOT, "%.2f", score));
        return score;
    }

    @FunctionalInterface
    private interface Loader<P> {
        P load(Path dir, PipelineSettings settings);
    }

    @SuppressWarnings("unchecked")
    private <P extends AutoCloseable> P pipeline(String role, Path dir, Loader<P> loader) {
        String key = role + ":" + dir.toAbsolutePath().normalize();
        AutoCloseable open = loaded.get(key);
        if (open == null) {
            open = loader.load(dir, models.pipelineSettings());
            loaded.put(key, open);
        }
        return (P) open;
    }

    private static void write(BufferedImage image, Map<String, String> text, Path out) {
        try {
            PngFiles.write(image, text, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long randomSeed() { return ThreadLocalRandom.current().nextLong(1L << 32); }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable open : loaded.values()) {
            try {
                open.close();
            } catch (Exception e) {
                if (failure == null) failure = new IllegalStateException("closing a pipeline failed", e);
            }
        }
        loaded.clear();
        if (failure != null) throw failure;
    }
}
