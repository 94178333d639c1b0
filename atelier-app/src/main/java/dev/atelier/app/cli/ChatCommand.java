package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import dev.atelier.assistant.Assistant;
import dev.atelier.assistant.Conversation;
import dev.atelier.assistant.PlanRenderer;
import dev.atelier.assistant.TerminalChat;
import dev.atelier.assistant.VisionChatCaptioner;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.pipeline.PipelineDirectory;
import dev.atelier.diffusion.tokenizer.ClipTokenizer;
import dev.atelier.library.PictureLibrary;
import dev.atelier.llm.ChatModel;
import dev.atelier.planner.PlanRequest;
import dev.atelier.planner.Planner;
import dev.atelier.planner.PlannerSettings;
import dev.atelier.planner.PromptFit;
import dev.atelier.planner.StructuredOutputAnswers;
import dev.atelier.vision.caption.Captioner;
import dev.atelier.vision.clip.ImageTextEmbedder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atelier chat}: a conversation in the terminal that plans, renders, edits, retrieves and answers. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Talk with the assistant, turn by turn, making and changing pictures.",
                "Type a request; /image FILE attaches a picture, /pictures lists the conversation's pictures, /quit ends.",
                "Each plan is printed first: render it (r), change it as JSON (e) or skip it (s).",
                "The conversation is saved as JSON after every step; continue it with --resume FILE."},
        footer = {"", "Examples:",
                "  atelier chat --llm ollama:qwen2.5:7b --model sd15 --edit-model instruct-pix2pix",
                "  atelier chat --resume chat-20250101-120000.json",
                "  atelier chat --library ~/pictures-index --clip clip   # retrieve or generate (GILL)"})
final class ChatCommand implements Callable<Integer> {
    /** Where the person's lines come from; replaceable in tests. */
    static final Supplier<BufferedReader> STANDARD_INPUT =
            () -> new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    static Supplier<BufferedReader> input = STANDARD_INPUT;

    @Spec
    CommandSpec spec;

    @Mixin
    LlmOption llm;

    @Mixin
    PullOption pull;

    @Mixin
    ModelOption model;

    @Mixin
    RenderOptions render;

    @Mixin
    AssistantOptions assistant;

    @Option(names = "--edit-model", paramLabel = "MODEL",
            description = "Model for edits: InstructPix2Pix for instruction edits, inpainting for outpaints. Default: "
                    + "--model when given, else the configured edit-model or inpaint-model (see 'atelier config').")
    String editModel;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue the conversation saved in this file.")
    Path resume;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Where to save a new conversation (default: chat-DATE-TIME.json in the working folder).")
    Path save;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
            description = "How the model writes region plans: json or rpg. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "3",
            description = "Answers asked for before falling back to a simpler plan. Default: ${DEFAULT-VALUE}.")
    int attempts;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (resume != null && save != null) throw new AtelierException("--resume continues a saved conversation in its own file; leave out --save.");
        if (attempts < 1 || attempts > 10) throw new AtelierException("--attempts is " + attempts + "; use 1 to 10.");
        assistant.check();
        Conversation conversation = resume != null ? Conversation.open(resume) : Conversation.create(save != null ? save : freshFile());
        String modelSpec = model.orDefault(UserSettings.Key.MODEL);
        // One question for everything a first run downloads (the diffusion model and the planner).
        ModelsCommand.ensureAvailable(java.util.Arrays.asList(modelSpec, PlanCommand.hubModelOf(llm.orDefault())), pull.yes, stderr);
        Path modelDir = ModelsCommand.resolveForUse(modelSpec, pull.yes, stderr);
        PipelineDirectory directory = PipelineDirectory.open(modelDir);
        int size = directory.defaultImageSize();
        ClipTokenizer tokenizer = ClipTokenizer.fromHuggingFaceDir(directory.tokenizer());
        PromptFit fit = new PromptFit(text -> tokenizer.encode(text).length, PromptFit.CLIP_WINDOW);
        PlannerSettings plannerSettings = PlannerSettings.DEFAULTS.withRegionFormat(PlanCommand.format(format)).withMaxAttempts(attempts);
        String stem = stem(conversation.file());
        try (ChatModel chatModel = PlanCommand.Options.modelOpener.open(llm.orDefault(), pull.yes);
             ImageTextEmbedder clip = assistant.openClip(pull.yes, stderr);
             PictureLibrary library = assistant.openLibrary(clip);
             Captioner captioner = assistant.openCaptioner(pull.yes, stderr);
             ChatModel vision = assistant.openVision(pull.yes);
             PlanRenderer renderer = new PlanRenderer(new PlanRenderer.Models(modelDir,
                     AssistantOptions.editModels(editModel, model, modelDir, pull.yes, stderr), render.pipelineSettings(), "--model"),
                     new PlanRenderer.Overrides(render.negative, render.steps, render.schedulerKind(), render.guidance, render.seed,
                             render.width, render.height, null, render.noiseKind()),
                     library, clip, assistant.policy(), new TerminalProgress(stderr))) {
            // Attached pictures are described once, so later turns can name them; the planner's own model is asked
            // when neither --captioner nor --vision is given (a model that cannot see just leaves them undescribed).
            Captioner describing = captioner != null ? captioner
                    : new VisionChatCaptioner(vision != null ? vision : chatModel);
            Assistant session = new Assistant(conversation, new Planner(new StructuredOutputAnswers(chatModel,
                    plannerSettings.maxAttempts()), plannerSettings, fit), renderer, describing,
                    new PlanRequest.RenderSettings(render.width != null ? render.width : size, render.height != null ? render.height : size,
                            render.steps != null ? render.steps : 20, render.guidance != null ? render.guidance : 7.5, render.seed),
                    conversation.file().getParent(), stem + "-");
            if (vision != null) session.withVision(new VisionChatCaptioner(vision));
            new TerminalChat(session, input.get(), stdout, stderr).run();
        }
        return 0;
    }

    private static Path freshFile() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path candidate = OutputOption.workingFolder.resolve("chat-" + stamp + ".json");
        for (int i = 2; Files.exists(candidate); i++) candidate = OutputOption.workingFolder.resolve("chat-" + stamp + "-" + i + ".json");
        return candidate;
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
