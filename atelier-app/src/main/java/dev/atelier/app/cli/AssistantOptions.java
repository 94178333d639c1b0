package dev.atelier.app.cli;

import dev.atelier.app.config.UserSettings;
import dev.atelier.assistant.PlanRenderer;
import dev.atelier.assistant.RetrievalPolicy;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.pipeline.PipelineKind;
import dev.atelier.library.LuceneLibrary;
import dev.atelier.library.PictureLibrary;
import dev.atelier.llm.ChatModel;
import dev.atelier.vision.caption.Captioner;
import dev.atelier.vision.caption.OnnxCaptioner;
import dev.atelier.vision.clip.ImageTextEmbedder;
import dev.atelier.vision.clip.OnnxClipModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The assistant's options shared by {@code create} and {@code chat}: the picture library and GILL's decision, CLIP
 * scores, and the models that look at pictures.
 */
final class AssistantOptions {
    @Option(names = "--library", paramLabel = "DIR",
            description = "A picture library made by 'atelier library add': retrieve plans return its best match when it is "
                    + "similar enough (GILL), and generate otherwise.")
    Path library;

    @Option(names = "--retrieve", paramLabel = "WHEN", defaultValue = "auto",
            description = "With --library: auto (the threshold decides), always (the best match whatever its score) or "
                    + "never (always generate). Default: ${DEFAULT-VALUE}.")
    String retrieve;

    @Option(names = "--retrieve-threshold", paramLabel = "COS",
            description = "With --library: the CLIP similarity a match needs to be returned (default "
                    + RetrievalPolicy.DEFAULT_THRESHOLD + ").")
    Double threshold;

    @picocli.CommandLine.Mixin
    ClipOption clip;

    @Option(names = "--captioner", paramLabel = "MODEL",
            description = "In-process captioner (a vision-encoder-decoder ONNX export) that describes given pictures, so "
                    + "a planner that cannot see plans from the description.")
    String captioner;

    @Option(names = "--vision", paramLabel = "SPEC",
            description = "A vision chat model (e.g. ollama:llava) that describes given pictures and answers questions about them.")
    String vision;

    /**
     * The model of each kind of edit: {@code editModel} (--edit-model), else an explicit --model (a call that only
     * edits), else the configured model for that kind; resolved (and downloaded when allowed) only when such an edit
     * is rendered.
     */
    static Function<PipelineKind, PlanRenderer.EditModel> editModels(String editModel, ModelOption model, Path modelDir,
                                                                     boolean pull, PrintWriter err) {
        return kind -> {
            if (editModel == null && model.model != null) return new PlanRenderer.EditModel(modelDir, "--model");
            String spec = editModel != null ? editModel : model.orDefault(kind == PipelineKind.INSTRUCT_PIX2PIX
                    ? UserSettings.Key.EDIT_MODEL : UserSettings.Key.INPAINT_MODEL);
            ModelsCommand.ensureAvailable(List.of(spec), pull, err);
            return new PlanRenderer.EditModel(ModelsCommand.resolveForUse(spec, pull, err), "--edit-model");
        };
    }

    RetrievalPolicy policy() {
        RetrievalPolicy.Force force = switch (retrieve.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> RetrievalPolicy.Force.AUTO;
            case "always" -> RetrievalPolicy.Force.RETRIEVE;
            case "never" -> RetrievalPolicy.Force.GENERATE;
            default -> throw new AtelierException("--retrieve is \"" + retrieve + "\"; use auto, always or never.");
        };
        return new RetrievalPolicy(threshold != null ? threshold : RetrievalPolicy.DEFAULT_THRESHOLD, force);
    }

    /** The CLIP model, or null when neither --clip nor --library asks for one. */
    ImageTextEmbedder openClip(boolean pull, PrintWriter err) {
        // A named CLIP model also scores every picture; a library alone needs the configured one to search.
        String spec = clip.clip != null ? clip.orDefault() : library != null ? clip.orDefault() : null;
        return spec == null ? null : OnnxClipModel.open(ModelsCommand.resolveForUse(spec, pull, err));
    }

    /** Refuses a --library folder that holds no library, before anything else runs; also checks --retrieve. */
    void check() {
        policy();
        if (library != null && (!Files.isDirectory(library) || !LuceneLibrary.exists(library))) {
            throw new AtelierException("There is no picture library in " + library + "; make one with: atelier library add FOLDER --index " + library);
        }
    }

    PictureLibrary openLibrary(ImageTextEmbedder embedder) {
        if (library == null) return null;
        check();
        return LuceneLibrary.open(library, embedder);
    }

    Captioner openCaptioner(boolean pull, PrintWriter err) {
        return captioner == null ? null : OnnxCaptioner.open(ModelsCommand.resolveForUse(captioner, pull, err));
    }

    ChatModel openVision(boolean pull) {
        return vision == null ? null : PlanCommand.Options.modelOpener.open(vision.strip(), pull);
    }
}
