package dev.atelier.assistant;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Images;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.SimilarImagePlan;
import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.planner.PlanRequest;
import dev.atelier.planner.PlanResult;
import dev.atelier.planner.Planner;
import dev.atelier.vision.caption.Captioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One conversation with the assistant, turn by turn: pictures are attached (stored by content hash and, with a
 * captioner, described), each request is planned with the conversation so far (its earlier turns and its numbered
 * pictures, so "the second one, but at night" changes picture 2), the plan is shown and may be changed, then
 * rendered or skipped. The conversation is saved after every step.
 */
public final class Assistant {
    private static final Logger log = LoggerFactory.getLogger(Assistant.class);

    /** A planned turn waiting for the person: render it, change it, or skip it. */
    public record PendingTurn(Plan plan, List<String> warnings) {}

    /** A rendered turn: what it gave, and the conversation pictures it added. */
    public record Rendered(TurnOutcome outcome, List<ConversationPicture> pictures, PlanRenderer.Result result) {}

    private final Conversation conversation;
    private final Planner planner;
    private final PlanRenderer renderer;
    private final Captioner captioner;
    private final PlanRequest.RenderSettings settings;
    private final Path outputFolder;
    private final String outputPrefix;
    private final List<Integer> attachedNow = new ArrayList<>();
    private PendingTurn pending;
    private VisionChatCaptioner vision;

    /**
     * @param captioner   describes attached pictures (in process or a vision model), or null to leave that to the
     *                    planner's model
     * @param settings    render settings given to the planner (null fields: plan defaults)
     * @param outputFolder where results are written for the person, as {@code PREFIXturn-N.png}
     */
    public Assistant(Conversation conversation, Planner planner, PlanRenderer renderer, Captioner captioner,
                     PlanRequest.RenderSettings settings, Path outputFolder, String outputPrefix) {
        this.conversation = conversation;
        this.planner = planner;
        this.renderer = renderer;
        this.captioner = captioner;
        this.settings = settings == null ? PlanRequest.RenderSettings.DEFAULTS : settings;
        this.outputFolder = outputFolder;
        this.outputPrefix = outputPrefix == null ? "" : outputPrefix;
    }

    public Conversation conversation() { return conversation; }

    /** Questions about a conversation picture are answered by this vision model looking at the picture. */
    public Assistant withVision(VisionChatCaptioner visionModel) {
        this.vision = visionModel;
        return this;
    }

    /** Attaches a picture file to the next request; a file that cannot be decoded is refused and nothing is kept. */
    public ConversationPicture attach(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new AtelierException("There is no picture " + file + "; give the path of a PNG, JPEG or WebP file.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String hash = conversation.store().put(bytes, file.toString());
        String caption = null;
        if (captioner != null) {
            try {
                caption = captioner.caption(conversation.store().image(hash));
            } catch (RuntimeException e) {
                log.debug("captioning {} failed", file, e);
            }
        }
        ConversationPicture picture = conversation.addPicture(hash, ConversationPicture.Origin.ATTACHED, caption, null, null, null);
        attachedNow.add(picture.number());
        conversation.save();
        return picture;
    }

    /** Plans a request with the conversation so far; the plan waits for {@link #render} or {@link #skip}. */
    public PendingTurn plan(String text) {
        if (pending != null) skip();
        List<PlanRequest.ImageInput> pictures = conversation.planningPictures();
        PlanRequest request = PlanRequest.of(text).withSettings(settings).withHistory(conversation.history()).withPictures(pictures);
        if (!attachedNow.isEmpty()) request = request.withImage(pictures.get(attachedNow.getLast() - 1));
        PlanResult result = planner.plan(request);
        Plan plan = renderer.withOverrides(result.plan());
        conversation.addTurn(new Turn(text, attachedNow, plan, result.warnings(), Turn.Status.PLANNED, null));
        attachedNow.clear();
        conversation.save();
        pending = new PendingTurn(plan, result.warnings());
        return pending;
    }

    /** The planned turn waiting for the person, or null. */
    public PendingTurn pending() { return pending; }

    /** Renders the waiting plan, or {@code changed} when the person changed it; results go to the output folder. */
    public Rendered render(Plan changed) {
        if (pending == null) throw new AtelierException("There is no plan to render; say what you want first.");
        Plan plan = changed != null ? changed : pending.plan();
        Turn turn = conversation.turns().getLast();
        int turnNumber = conversation.turns().size();
        ConversationPicture about = pictureOf(plan, turn);
        PlanRenderer.Source source = about == null ? null
                : new PlanRenderer.Source(conversation.store().image(about.hash()), conversation.store().file(about.hash()));
        Long remakeSeed = plan instanceof GeneratePlan && about != null ? about.seed() : null;
        Path out = outputFolder.resolve(outputPrefix + "turn-" + turnNumber + ".png");
        PlanRenderer.Result result;
        try {
            Files.createDirectories(outputFolder);
            result = renderer.render(plan, source, out, remakeSeed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (plan instanceof AnswerPlan && about != null && vision != null) {
            // the planner answered from the picture's description; a vision model looks at the picture itself
            result = new PlanRenderer.Result(result.pictures(), vision.answer(source.image(), turn.text()), null, result.notes());
        }
        List<ConversationPicture> added = new ArrayList<>();
        for (PlanRenderer.Rendered r : result.pictures()) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(r.file());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String hash = conversation.store().put(bytes, r.file().toString());
            added.add(conversation.addPictureOfTurn(hash, r.origin(), r.prompt(), r.file().toString(), r.seed(), r.clipScore(), turnNumber));
        }
        TurnOutcome outcome = new TurnOutcome(added.stream().map(ConversationPicture::number).toList(), result.answer(),
                result.retrieval(), result.notes());
        conversation.updateLastTurn(turn.rendered(plan, outcome));
        conversation.save();
        pending = null;
        return new Rendered(outcome, added, result);
    }

    /** Leaves the waiting plan unrendered. */
    public void skip() {
        if (pending == null) return;
        conversation.updateLastTurn(conversation.turns().getLast().skipped());
        conversation.save();
        pending = null;
    }

    /** The conversation picture a plan starts from: the one it names, else the last one attached with the request. */
    private ConversationPicture pictureOf(Plan plan, Turn turn) {
        Integer named = switch (plan) {
            case EditPlan e -> e.picture();
            case SimilarImagePlan s -> s.picture();
            case GeneratePlan g -> g.picture();
            case AnswerPlan a -> a.picture();
            default -> null;
        };
        if (named != null) return conversation.picture(named);
        if (!turn.attached().isEmpty() && !(plan instanceof GeneratePlan)) return conversation.picture(turn.attached().getLast());
        return null;
    }
}
