package dev.atelier.planner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.RegionCountMismatchException;
import dev.atelier.core.plan.RegionLayout;
import dev.atelier.llm.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recaption and region planning (RPG) in one model call: a short request becomes a detailed prompt and, when the
 * picture has several distinct things, a layout of rows and regions with a richer prompt per region. Works with a
 * JSON answer (schema-constrained) or RPG's own text format. A layout whose prompt count does not match its regions
 * is sent back to the model with the counts; if no valid layout arrives, the plan falls back to one prompt for the
 * whole canvas with a warning. The person's own words are kept and every prompt fits CLIP's window.
 */
final class GenerationPlanner {
    private static final Logger log = LoggerFactory.getLogger(GenerationPlanner.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StructuredAnswers llm;
    private final PlannerSettings settings;
    private final PromptFit fit;

    GenerationPlanner(StructuredAnswers llm, PlannerSettings settings, PromptFit fit) {
        this.llm = llm;
        this.settings = settings;
        this.fit = fit;
    }

    /** What the model decided, before the person's words and the token window are enforced. */
    private record Candidate(String prompt, String negativePrompt, RegionLayout layout, String basePrompt, Double baseRatio) {}

    GeneratePlan plan(PlanRequest request, List<String> warnings) {
        return plan(request, false, warnings);
    }

    /**
     * {@code refines}: the request changes an earlier picture (its picture's caption is that picture's prompt), so
     * the new prompt starts from that picture rather than from the request's own words ("the second one, at night").
     */
    GeneratePlan plan(PlanRequest request, boolean refines, List<String> warnings) {
        Candidate candidate = settings.regionFormat() == PlannerSettings.RegionFormat.RPG_TEXT
                ? planFromRpgText(request, refines, warnings)
                : planFromJson(request, refines, warnings);
        return finish(request, refines, candidate, warnings);
    }

    private Candidate planFromJson(PlanRequest request, boolean refines, List<String> warnings) {
        List<ChatMessage> conversation = Conversations.of(
                PromptTemplates.render("generate-json-system.txt", Map.of("examples", RegionExamples.asJson())),
                request, userTurn(request, refines), false);
        String lastProblem = "";
        String bestPrompt = null;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            Drafts.Generation draft;
            try {
                draft = llm.record(conversation, Drafts.Generation.class, settings.options());
            } catch (PlannerOutputException e) {
                // Some models answer in RPG's own format whatever they are asked; read that before giving up.
                if (RpgAnswerParser.parse(e.rawAnswer()) instanceof RpgAnswerParser.Parsed p) {
                    try {
                        warnings.add("the model answered in RPG's text format instead of JSON; it was read as such");
                        return fromRpg(request, p, warnings);
                    } catch (AtelierException mismatch) {
                        lastProblem = mismatch.getMessage();
                    }
                } else {
                    lastProblem = e.getMessage();
                }
                break;  // the structured layer has already asked again
            }
            bestPrompt = draft.prompt();
            try {
                return fromDraft(draft);
            } catch (AtelierException layoutProblem) {
                lastProblem = layoutProblem.getMessage();
                log.debug("layout answer {} rejected: {}", attempt, lastProblem);
                conversation.add(ChatMessage.assistant(toJson(draft)));
                conversation.add(ChatMessage.user(PromptTemplates.render("layout-repair.txt", Map.of("problem", lastProblem))));
            }
        }
        return singleRegion(request, bestPrompt, lastProblem, warnings);
    }

    private Candidate planFromRpgText(PlanRequest request, boolean refines, List<String> warnings) {
        List<ChatMessage> conversation = Conversations.of(
                PromptTemplates.render("generate-rpg-system.txt", Map.of("examples", RegionExamples.asRpgText())),
                request, userTurn(request, refines), false);
        String lastProblem = "";
        String bestPrompt = null;
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            String answer = llm.text(conversation, settings.options());
            String feedback;
            switch (RpgAnswerParser.parse(answer)) {
                case RpgAnswerParser.Parsed p -> {
                    if (p.detailedPrompt() != null) bestPrompt = p.detailedPrompt();
                    try {
                        return fromRpg(request, p, warnings);
                    } catch (RegionCountMismatchException m) {
                        lastProblem = m.getMessage();
                        feedback = PromptTemplates.render("region-count-repair.txt", Map.of(
                                "ratio", p.ratio().toString(),
                                "regions", Integer.toString(m.regions()),
                                "count", Integer.toString(m.prompts()),
                                "prompts", numbered(p.prompts())));
                    } catch (AtelierException invalid) {
                        lastProblem = invalid.getMessage();
                        feedback = PromptTemplates.render("rpg-format-repair.txt", Map.of("problem", lastProblem));
                    }
                }
                case RpgAnswerParser.Unreadable u -> {
                    lastProblem = u.reason();
                    feedback = PromptTemplates.render("rpg-format-repair.txt", Map.of("problem", lastProblem));
                }
            }
            log.debug("RPG answer {} rejected: {}", attempt, lastProblem);
            conversation.add(ChatMessage.assistant(answer));
            conversation.add(ChatMessage.user(feedback));
        }
        return singleRegion(request, bestPrompt, lastProblem, warnings);
    }

    private Candidate fromRpg(PlanRequest request, RpgAnswerParser.Parsed p, List<String> warnings) {
        RegionLayout layout = RegionLayout.of(p.ratio(), p.prompts());
        p.notes().forEach(n -> log.debug("RPG answer: {}", n));
        String prompt = p.detailedPrompt() != null ? p.detailedPrompt()
                : layout.regionCount() == 1 ? layout.prompts().getFirst() : request.text();
        // RPG mixes the person's own prompt into every region as the base prompt.
        return new Candidate(prompt, "", layout, request.text(), null);
    }

    private static Candidate fromDraft(Drafts.Generation draft) {
        RegionLayout layout = null;
        if (!draft.rows().isEmpty()) {
            List<RegionLayout.Row> rows = new ArrayList<>();
            for (Drafts.Row row : draft.rows()) {
                List<RegionLayout.Region> regions = row.regions().stream()
                        .map(r -> new RegionLayout.Region(r.width(), r.prompt())).toList();
                rows.add(new RegionLayout.Row(row.height(), regions));
            }
            layout = new RegionLayout(rows);
        }
        return new Candidate(draft.prompt(), draft.negativePrompt(), layout, draft.basePrompt(), draft.baseRatio());
    }

    private static Candidate singleRegion(PlanRequest request, String bestPrompt, String problem, List<String> warnings) {
        warnings.add("no valid region plan came back (" + problem + "); planned one prompt for the whole picture");
        return new Candidate(bestPrompt == null || bestPrompt.isBlank() ? request.text() : bestPrompt, "", null, null, null);
    }

    /** Enforces the person's words, the token window and β's range, then applies the person's render settings. */
    private GeneratePlan finish(PlanRequest request, boolean refines, Candidate c, List<String> warnings) {
        String prompt = c.prompt().strip();
        List<String> missing = refines ? List.of() : PromptFit.missingWords(request.text(), prompt);
        if (!missing.isEmpty()) {
            warnings.add("the detailed prompt had lost " + String.join(", ", missing) + "; your request was put in front of it");
            prompt = request.text() + ", " + prompt;
        }
        prompt = fitted(prompt, "the detailed prompt", warnings);
        RegionLayout layout = c.layout();
        if (layout != null && layout.regionCount() == 1) layout = null;  // one region is just the whole picture
        if (layout != null) layout = fittedLayout(layout, warnings);
        String basePrompt = layout == null || c.basePrompt() == null ? null : fitted(c.basePrompt(), "the base prompt", warnings);
        Double baseRatio = c.baseRatio();
        if (baseRatio != null && !(baseRatio >= 0 && baseRatio <= 1)) {
            warnings.add("the model chose β = " + baseRatio + ", outside 0…1; the default " + GeneratePlan.DEFAULT_BASE_RATIO + " is used");
            baseRatio = null;
        }
        PlanRequest.RenderSettings s = request.settings();
        return new GeneratePlan(prompt, c.negativePrompt(), layout, basePrompt, baseRatio,
                s.width(), s.height(), s.steps(), s.guidance(), s.seed());
    }

    private RegionLayout fittedLayout(RegionLayout layout, List<String> warnings) {
        List<RegionLayout.Row> rows = new ArrayList<>();
        for (RegionLayout.Row row : layout.rows()) {
            rows.add(new RegionLayout.Row(row.height(), row.regions().stream()
                    .map(r -> new RegionLayout.Region(r.width(), fitted(r.prompt(), "a region prompt", warnings))).toList()));
        }
        return new RegionLayout(rows);
    }

    private String fitted(String text, String what, List<String> warnings) {
        String out = fit.fit(text);
        if (!out.equals(text.strip())) {
            warnings.add(what + " was longer than CLIP's " + PromptFit.CLIP_WINDOW + "-token window and was cut after \"" + tail(out) + "\"");
        }
        return out.isEmpty() ? text.strip() : out;
    }

    private static String tail(String s) { return s.length() <= 40 ? s : "…" + s.substring(s.length() - 40); }

    private static String userTurn(PlanRequest request, boolean refines) {
        String image = refines && request.hasImage() && request.image().caption() != null
                ? PromptTemplates.render("refine-note.txt", Map.of("caption", request.image().caption().strip()))
                : Conversations.imageNote(request);
        return PromptTemplates.render("generate-user.txt", Map.of("request", request.text(), "image", image));
    }

    private static String numbered(List<String> prompts) {
        return String.join("\n", IntStream.range(0, prompts.size()).mapToObj(i -> (i + 1) + ". " + prompts.get(i)).toList());
    }

    private static String toJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
