package dev.atelier.planner;

import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.RetrievePlan;
import dev.atelier.core.plan.SimilarImagePlan;
import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conversation in, plan out. Routes the request, then writes the plan of that kind: recaption and regions for a new
 * picture (RPG), an expressive instruction for an edit (MGIE), a prompt for inpainting, outpainting or a similar
 * picture (LLMGA), an answer, or a search query (GILL). A bad model answer never fails the request: it is repaired,
 * asked again, or replaced by a simpler plan, and the result says so in its warnings.
 */
public final class Planner {
    private static final Logger log = LoggerFactory.getLogger(Planner.class);
    static final int DEFAULT_OUTPAINT = 256;

    private final StructuredAnswers llm;
    private final PlannerSettings settings;
    private final PromptFit fit;
    private final Router router;
    private final GenerationPlanner generation;
    private final ExpressiveInstructions expressive;

    public Planner(StructuredAnswers llm, PlannerSettings settings, PromptFit fit) {
        this.llm = llm;
        this.settings = settings;
        this.fit = fit;
        this.router = new Router(llm, settings);
        this.generation = new GenerationPlanner(llm, settings, fit);
        this.expressive = new ExpressiveInstructions(llm);
    }

    /** A planner over a chat model (structured output through atelier-llm), with estimated CLIP token counts. */
    public static Planner over(ChatModel model, PlannerSettings settings) {
        return new Planner(new StructuredOutputAnswers(model, settings.maxAttempts()), settings, PromptFit.clip());
    }

    public PlanResult plan(PlanRequest request) {
        List<String> warnings = new ArrayList<>();
        boolean modelSeesImage = false;
        if (request.hasImage() && (request.image().caption() == null || request.image().caption().isBlank())) {
            String caption = caption(request, warnings);
            if (caption != null) {
                request = request.withImage(request.image().withCaption(caption));
                modelSeesImage = true;
            }
        }
        if (settings.llmga()) return planLlmga(request, warnings);
        Router.Choice choice = router.route(request, warnings);
        if (choice.llmga() != null) {
            warnings.add("the model answered in LLMGA's <gen_image> convention; its prompt is generated");
            return new PlanResult(fromLlmga(request, choice.llmga(), warnings), PlanKind.GENERATE, warnings);
        }
        PlanRequest.ImageInput chosen = request.picture(choice.picture());
        if (chosen != null && !(request.hasImage() && java.util.Arrays.equals(request.image().bytes(), chosen.bytes()))) {
            // The plan is about another picture of the conversation: it becomes the request's picture (LLMGA's refinement).
            request = request.withImage(chosen);
            if (request.image().caption() == null || request.image().caption().isBlank()) {
                String caption = caption(request, warnings);
                if (caption != null) {
                    request = request.withImage(request.image().withCaption(caption));
                    modelSeesImage = true;
                }
            }
        }
        PlanKind kind = choice.kind();
        Plan plan = switch (kind) {
            case GENERATE -> generation.plan(request, choice.picture() != null, warnings);
            case EDIT -> edit(request, modelSeesImage, warnings);
            case INPAINT -> inpaint(request, modelSeesImage, warnings);
            case OUTPAINT -> outpaint(request, warnings);
            case SIMILAR -> similar(request, warnings);
            case ANSWER -> answer(request, modelSeesImage, warnings);
            case RETRIEVE -> retrieve(request, warnings);
        };
        if (plan instanceof GeneratePlan && kind == PlanKind.ANSWER) kind = PlanKind.GENERATE;
        return new PlanResult(about(plan, choice.picture()), kind, warnings);
    }

    /** The plan marked with the conversation picture it changes or is about. */
    private static Plan about(Plan plan, Integer picture) {
        if (picture == null) return plan;
        return switch (plan) {
            case GeneratePlan g -> g.withPicture(picture);
            case EditPlan e -> e.withPicture(picture);
            case SimilarImagePlan s -> s.withPicture(picture);
            case AnswerPlan a -> a.withPicture(picture);
            case RetrievePlan r -> r;
        };
    }

    /** The expressive instruction for a terse command about the request's picture (MGIE). */
    public ExpressiveInstructions.Instruction expressiveInstruction(PlanRequest request, boolean showImage) {
        return expressive.expand(request.text(), request.image(), showImage, settings.seed());
    }

    private String caption(PlanRequest request, List<String> warnings) {
        try {
            List<ChatMessage> messages = List.of(
                    ChatMessage.system(PromptTemplates.render("caption-system.txt", Map.of())),
                    Conversations.user(PromptTemplates.render("caption-user.txt", Map.of()), request.image()));
            String caption = llm.text(messages, settings.options().withMaxTokens(120)).strip();
            if (!caption.isEmpty()) return caption;
            warnings.add("the model gave no description of the picture; planning from the request alone");
        } catch (RuntimeException e) {
            log.debug("captioning failed", e);
            warnings.add("the model could not look at the picture (" + e.getMessage() + "); planning from the request alone");
        }
        return null;
    }

    private EditPlan edit(PlanRequest request, boolean showImage, List<String> warnings) {
        ExpressiveInstructions.Instruction instruction = expressiveInstruction(request, showImage);
        if (!instruction.expanded()) warnings.add("the model gave no expressive instruction; your own words are the instruction");
        PlanRequest.RenderSettings s = request.settings();
        return new EditPlan(fit(instruction.text(), "the instruction", warnings), new EditPlan.InstructionEdit(), "",
                s.steps(), s.guidance(), null, s.seed());
    }

    private EditPlan inpaint(PlanRequest request, boolean showImage, List<String> warnings) {
        ExpressiveInstructions.Instruction instruction = expressiveInstruction(request, showImage);
        String target;
        String prompt;
        try {
            Drafts.Inpaint draft = llm.record(Conversations.of(PromptTemplates.render("inpaint-system.txt", Map.of()), request,
                    PromptTemplates.render("inpaint-user.txt", Map.of("request", request.text(),
                            "instruction", instruction.text(), "image", Conversations.imageNote(request))), false),
                    Drafts.Inpaint.class, settings.options());
            target = draft.target();
            prompt = draft.prompt();
        } catch (PlannerOutputException e) {
            warnings.add("the model gave no usable inpainting plan; the expressive instruction is used as the prompt");
            target = request.text();
            prompt = instruction.text();
        }
        EditPlan.Mask mask = request.maskPath() != null
                ? new EditPlan.MaskFile(request.maskPath())
                : new EditPlan.DescribedMask(target == null || target.isBlank() ? request.text() : target);
        PlanRequest.RenderSettings s = request.settings();
        return new EditPlan(fit(prompt, "the inpainting prompt", warnings), new EditPlan.Inpaint(mask), "",
                s.steps(), s.guidance(), null, s.seed());
    }

    private EditPlan outpaint(PlanRequest request, List<String> warnings) {
        Drafts.Outpaint draft;
        try {
            draft = llm.record(Conversations.of(PromptTemplates.render("outpaint-system.txt", Map.of()), request,
                    PromptTemplates.render("outpaint-user.txt", Map.of("request", request.text(), "image", Conversations.imageNote(request))), false),
                    Drafts.Outpaint.class, settings.options());
        } catch (PlannerOutputException e) {
            warnings.add("the model gave no usable outpainting plan; the sides were read from your words");
            String scene = request.image().caption() == null ? request.text() : request.image().caption();
            draft = new Drafts.Outpaint(scene, 0, 0, 0, 0);
        }
        int left = pixels(draft.left()), top = pixels(draft.top()), right = pixels(draft.right()), bottom = pixels(draft.bottom());
        if (left + top + right + bottom == 0) {
            int[] sides = sidesFromWords(request.text());
            left = sides[0]; top = sides[1]; right = sides[2]; bottom = sides[3];
        }
        PlanRequest.RenderSettings s = request.settings();
        return new EditPlan(fit(draft.prompt(), "the outpainting prompt", warnings), new EditPlan.Outpaint(left, top, right, bottom), "",
                s.steps(), s.guidance(), null, s.seed());
    }

    /** Pixels rounded to a multiple of 8 within what an outpaint allows. */
    static int pixels(int requested) {
        int clamped = Math.max(0, Math.min(EditPlan.Outpaint.MAX_EXTENSION, requested));
        return Math.round(clamped / 8f) * 8;
    }

    /** Sides named in the request (left, right, top/up/sky, bottom/down/ground); both sides for "wider"; all for none. */
    static int[] sidesFromWords(String request) {
        String t = request.toLowerCase(java.util.Locale.ROOT);
        boolean left = t.contains("left") || t.contains("wider") || t.contains("widen") || t.contains("horizontal");
        boolean right = t.contains("right") || t.contains("wider") || t.contains("widen") || t.contains("horizontal");
        boolean top = Pattern.compile("\\b(top|up|upward|upwards|above|sky|taller|vertical)\\b").matcher(t).find();
        boolean bottom = Pattern.compile("\\b(bottom|down|downward|downwards|below|ground|floor|taller|vertical)\\b").matcher(t).find();
        if (!(left || right || top || bottom)) left = right = top = bottom = true;
        int a = DEFAULT_OUTPAINT;
        return new int[] {left ? a : 0, top ? a : 0, right ? a : 0, bottom ? a : 0};
    }

    private SimilarImagePlan similar(PlanRequest request, List<String> warnings) {
        String known = request.image().caption();
        try {
            Drafts.Similar draft = llm.record(Conversations.of(PromptTemplates.render("similar-system.txt", Map.of()), request,
                    PromptTemplates.render("similar-user.txt", Map.of("request", request.text(), "image", Conversations.imageNote(request))), false),
                    Drafts.Similar.class, settings.options());
            String caption = known != null && !known.isBlank() ? known : draft.caption();
            return new SimilarImagePlan(caption, fit(draft.prompt(), "the new prompt", warnings), "");
        } catch (PlannerOutputException e) {
            warnings.add("the model gave no usable prompt for a similar picture; the description of the picture is used");
            String caption = known != null && !known.isBlank() ? known : request.text();
            return new SimilarImagePlan(caption, fit(caption, "the new prompt", warnings), "");
        }
    }

    private Plan answer(PlanRequest request, boolean showImage, List<String> warnings) {
        String text;
        try {
            text = llm.text(Conversations.of(PromptTemplates.render("answer-system.txt", Map.of()), request,
                    PromptTemplates.render("answer-user.txt", Map.of("request", request.text(), "image", Conversations.imageNote(request))),
                    showImage), settings.options());
        } catch (RuntimeException e) {
            log.debug("answer failed", e);
            text = "";
        }
        var llmga = LlmgaAnswer.parse(text);
        if (llmga.isPresent()) return fromLlmga(request, llmga.get(), warnings);
        if (text.isBlank()) {
            warnings.add("the model gave an empty answer");
            return new AnswerPlan("(The model gave no answer; try asking again in other words.)");
        }
        return new AnswerPlan(text.strip());
    }

    private RetrievePlan retrieve(PlanRequest request, List<String> warnings) {
        try {
            Drafts.Retrieve draft = llm.record(Conversations.of(PromptTemplates.render("retrieve-system.txt", Map.of()), request,
                    PromptTemplates.render("retrieve-user.txt", Map.of("request", request.text())), false),
                    Drafts.Retrieve.class, settings.options());
            return new RetrievePlan(draft.query());
        } catch (PlannerOutputException e) {
            warnings.add("the model gave no usable search query; your request is the query");
            return new RetrievePlan(request.text());
        }
    }

    /** One plain answer in LLMGA's convention: a tagged prompt renders (inpaints when a mask is given), prose answers. */
    private PlanResult planLlmga(PlanRequest request, List<String> warnings) {
        String answer = llm.text(Conversations.of(PromptTemplates.render("llmga-system.txt", Map.of()), request,
                PromptTemplates.render("llmga-user.txt", Map.of("request", request.text(), "image", Conversations.imageNote(request))), false),
                settings.options().withMaxTokens(512));
        var llmga = LlmgaAnswer.parse(answer);
        if (llmga.isEmpty()) {
            if (answer.isBlank()) {
                warnings.add("the model gave an empty answer");
                return new PlanResult(new AnswerPlan("(The model gave no answer; try asking again in other words.)"), PlanKind.ANSWER, warnings);
            }
            return new PlanResult(new AnswerPlan(answer.strip()), PlanKind.ANSWER, warnings);
        }
        if (request.hasImage() && request.maskPath() != null) {
            PlanRequest.RenderSettings s = request.settings();
            return new PlanResult(new EditPlan(fit(llmga.get().prompt(), "the inpainting prompt", warnings),
                    new EditPlan.Inpaint(new EditPlan.MaskFile(request.maskPath())), "", s.steps(), s.guidance(), null, s.seed()),
                    PlanKind.INPAINT, warnings);
        }
        return new PlanResult(fromLlmga(request, llmga.get(), warnings), PlanKind.GENERATE, warnings);
    }

    private GeneratePlan fromLlmga(PlanRequest request, LlmgaAnswer answer, List<String> warnings) {
        PlanRequest.RenderSettings s = request.settings();
        return new GeneratePlan(fit(answer.prompt(), "the generation prompt", warnings), "", null, null, null,
                s.width(), s.height(), s.steps(), s.guidance(), s.seed());
    }

    private String fit(String text, String what, List<String> warnings) {
        String out = fit.fit(text);
        if (out.isEmpty()) return text.strip();
        if (!out.equals(text.strip())) warnings.add(what + " was longer than CLIP's window and was shortened");
        return out;
    }
}
