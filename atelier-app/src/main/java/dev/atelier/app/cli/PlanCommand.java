package dev.atelier.app.cli;

import dev.atelier.assistant.VisionChatCaptioner;
import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Images;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.core.plan.PlanSchemas;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatModels;
import dev.atelier.llm.spec.ModelSpec;
import dev.atelier.planner.PlanKind;
import dev.atelier.planner.PlanRequest;
import dev.atelier.planner.PlanResult;
import dev.atelier.planner.Planner;
import dev.atelier.planner.PromptFit;
import dev.atelier.planner.StructuredOutputAnswers;
import dev.atelier.planner.PlannerSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Turn a request into a plan (JSON) with a language model, without rendering.",
                "The plan goes to standard output; notes about repairs and fallbacks go to standard error.",
                "Edit the JSON if you like and render it later."},
        footer = {"", "Examples:",
                "  atelier plan \"two cats, one black, one white\"        # the configured language model",
                "  atelier plan --llm gguf:./qwen2.5-3b.gguf \"two cats, one black, one white\"",
                "  atelier plan --llm ollama:llava --image lunch.jpg \"make it more healthy\"",
                "  atelier plan --schema > plan.schema.json"})
final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    Options planning;

    @Option(names = "--schema", description = "Print the JSON Schema of plan files and exit (no model needed).")
    boolean schema;

    @Override
    public Integer call() throws Exception {
        if (schema) {
            spec.commandLine().getOut().println(new com.fasterxml.jackson.databind.ObjectMapper()
                    .writerWithDefaultPrettyPrinter().writeValueAsString(PlanSchemas.forPlan()));
            return 0;
        }
        PlanResult result = plan(planning, PlanRequest.RenderSettings.DEFAULTS);
        planning.printWarnings(spec.commandLine().getErr(), result);
        spec.commandLine().getOut().println(PlanJson.write(result.plan()));
        return 0;
    }

    /** Plans the mixin's request with the person's render settings; the model is closed afterwards. */
    static PlanResult plan(Options options, PlanRequest.RenderSettings settings) {
        return plan(options, settings, PromptFit.clip());
    }

    /** Plans with prompts fitted by {@code fit} (the renderer's own tokenizer when it is known). */
    static PlanResult plan(Options options, PlanRequest.RenderSettings settings, PromptFit fit) {
        PlanRequest request = options.request(settings);
        ModelsCommand.ensureAvailable(java.util.Arrays.asList(hubModelOf(options.llm.orDefault())), options.pull.yes,
                new PrintWriter(System.err, true));
        PlannerSettings plannerSettings = options.plannerSettings();
        try (ChatModel model = options.openModel()) {
            return new Planner(new StructuredOutputAnswers(model, plannerSettings.maxAttempts()), plannerSettings, fit).plan(request);
        }
    }

    static String joined(List<String> words) {
        if (words == null || words.isEmpty() || String.join(" ", words).isBlank()) {
            throw new AtelierException("No request given; say what you want in quotes, for example: atelier plan \"a red fox in snow\".");
        }
        return String.join(" ", words).strip();
    }

    static PlanKind kind(String name) {
        if (name == null) return null;
        try {
            return PlanKind.valueOf(name.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AtelierException("Unknown plan kind \"" + name + "\"; use generate, edit, inpaint, outpaint, similar, answer or retrieve.");
        }
    }

    static PlannerSettings.RegionFormat format(String name) {
        return switch (name.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "json" -> PlannerSettings.RegionFormat.JSON;
            case "rpg" -> PlannerSettings.RegionFormat.RPG_TEXT;
            default -> throw new AtelierException("Unknown region format \"" + name + "\"; use json (schema-constrained) or rpg (RPG's text format).");
        };
    }

    /** Opens a chat model from a {@code --llm} spec; {@code pull} allows downloading a preset or hub file. */
    @FunctionalInterface
    interface ModelOpener {
        ChatModel open(String spec, boolean pull);
    }

    /** Opens the chat model a {@code --llm} spec names (a malformed spec is a clear error). */
    static ChatModel openLanguageModel(String spec, boolean pull) {
        return ChatModels.open(withLocalModelFile(spec,
                name -> ModelsCommand.resolveForUse(name, pull, new PrintWriter(System.err, true))));
    }

    /**
     * A {@code gguf:} spec whose path is no local file may name a preset or a hub file instead: the hub resolver finds
     * it in the cache, or downloads it when allowed ({@link ModelsCommand#resolveForUse}). Other specs pass unchanged.
     */
    /** The preset or hub file a {@code gguf:} spec names when it is no local file; null for every other spec. */
    static String hubModelOf(String spec) {
        if (spec != null && spec.startsWith("gguf:") && ModelSpec.parse(spec) instanceof ModelSpec.Gguf gguf
                && !Files.isRegularFile(gguf.path())) {
            return gguf.path().toString();
        }
        return null;
    }

    static String withLocalModelFile(String spec, Function<String, Path> hubResolver) {
        if (spec.startsWith("gguf:") && ModelSpec.parse(spec) instanceof ModelSpec.Gguf gguf && !Files.isRegularFile(gguf.path())) {
            Path local = hubResolver.apply(gguf.path().toString());
            return new ModelSpec.Gguf(local, gguf.contextSize(), gguf.threads(), gguf.gpuLayers()).text();
        }
        return spec;
    }

    /** The options shared by {@code plan} and {@code create}: which model plans, and what it is asked. */
    static final class Options {
        /** Opens a chat model from a spec; replaceable in tests. */
        static ModelOpener modelOpener = PlanCommand::openLanguageModel;

        @Mixin
        LlmOption llm;

        @Mixin
        PullOption pull;

        @Mixin
        ImageOption picture;

        @Option(names = "--caption", paramLabel = "TEXT",
                description = "What the picture shows, for models that cannot see pictures (then it is not shown to the model).")
        String caption;

        @Option(names = "--mask", paramLabel = "FILE", description = "A mask for the picture: white is repainted, black is kept.")
        Path mask;

        @Option(names = "--kind", paramLabel = "KIND",
                description = "Skip routing and make this kind of plan: generate, edit, inpaint, outpaint, similar, answer, retrieve.")
        String kind;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
                description = "How the model writes region plans: json (schema-constrained) or rpg (RPG's text format). Default: ${DEFAULT-VALUE}.")
        String format;

        @Option(names = "--llmga", description = "The model speaks LLMGA's convention (<gen_image>prompt</gen_image>): plan with one plain answer.")
        boolean llmga;

        @Option(names = "--attempts", paramLabel = "N", defaultValue = "3",
                description = "Answers asked for before falling back to a simpler plan. Default: ${DEFAULT-VALUE}.")
        int attempts;

        @Option(names = "--plan-seed", paramLabel = "N", description = "Sampling seed of the language model, for reproducible plans.")
        Long planSeed;

        @Parameters(paramLabel = "REQUEST", arity = "0..*", description = "What you want, in plain words.")
        List<String> words;

        PlanRequest request(PlanRequest.RenderSettings settings) {
            Path image = picture.image;
            PlanRequest request = PlanRequest.of(joined(words)).withKind(kind(kind)).withSettings(settings);
            if (caption != null && image == null) {
                throw new AtelierException("--caption describes a picture given with --image; add --image FILE or leave --caption out.");
            }
            if (image != null) request = request.withImage(new PlanRequest.ImageInput(pngForVision(image), "image/png", caption));
            if (mask != null) {
                if (image == null) throw new AtelierException("--mask needs --image: a mask marks part of a picture. Add --image FILE.");
                Images.read(mask);  // a broken mask should fail now, not at render time
                request = request.withMask(mask.toAbsolutePath().toString());
            }
            return request;
        }

        PlannerSettings plannerSettings() {
            if (attempts < 1 || attempts > 10) throw new AtelierException("--attempts is " + attempts + "; use 1 to 10.");
            return PlannerSettings.DEFAULTS.withRegionFormat(format(format)).withLlmga(llmga)
                    .withMaxAttempts(attempts).withSeed(planSeed);
        }

        ChatModel openModel() {
            return modelOpener.open(llm.orDefault(), pull.yes);
        }

        void printWarnings(PrintWriter err, PlanResult result) {
            for (String w : result.warnings()) err.println("note: " + w);
        }

        /** The picture re-encoded as PNG, scaled as every vision model gets pictures ({@link VisionChatCaptioner#png}). */
        static byte[] pngForVision(Path file) {
            return VisionChatCaptioner.png(Images.read(file));
        }
    }
}
