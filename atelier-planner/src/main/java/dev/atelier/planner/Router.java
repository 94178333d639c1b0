package dev.atelier.planner;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses what kind of plan a request needs, from the conversation so far. The model decides; the facts of the
 * request then overrule choices that cannot work (an edit without a picture generates instead; a given mask makes an
 * edit an inpaint). When the model gives no valid choice, word cues decide. A model that answers in LLMGA's
 * {@code <gen_image>} convention instead of choosing is understood as asking to generate that prompt.
 */
final class Router {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private static final Pattern QUESTION = Pattern.compile(
            "(?i)^(what|who|where|when|why|how|which|is|are|does|do|can you (tell|describe|explain)|describe|tell me|explain)\\b.*|.*\\?\\s*$");
    private static final Pattern ASKS_TO_MAKE = Pattern.compile("(?i)\\b(draw|paint|generate|create|make|render|design|imagine|show me a)\\b");
    private static final Pattern SIMILAR = Pattern.compile("(?i)\\b(similar|like this|like that|another one|variation|same style|in the style of this|one like)\\b");
    private static final Pattern OUTPAINT = Pattern.compile("(?i)\\b(extend|outpaint|expand|widen|zoom out|uncrop|wider|taller|more of the (scene|background))\\b");
    private static final Pattern INPAINT = Pattern.compile("(?i)\\b(inpaint|fill in|fill the|in the masked|only the|just the)\\b");
    private static final Pattern RETRIEVE = Pattern.compile("(?i)\\b(find|search|retrieve|look up|fetch)\\b.*\\b(image|picture|photo)s?\\b|^(find|search for)\\b.*");

    private final StructuredAnswers llm;
    private final PlannerSettings settings;

    Router(StructuredAnswers llm, PlannerSettings settings) {
        this.llm = llm;
        this.settings = settings;
    }

    /**
     * The choice; {@code llmga} is set when the model answered with a {@code <gen_image>} prompt instead;
     * {@code picture} is the conversation picture (from 1) the plan is about, or null.
     */
    record Choice(PlanKind kind, LlmgaAnswer llmga, Integer picture) {
        Choice(PlanKind kind, LlmgaAnswer llmga) { this(kind, llmga, null); }
    }

    Choice route(PlanRequest request, List<String> warnings) {
        if (request.kind() != null) {
            Integer picture = picture(request, request.kind(), null, warnings);
            return new Choice(constrain(withPicture(request, picture), request.kind(), warnings), null, picture);
        }
        String system = PromptTemplates.render("router-system.txt", Map.of());
        String user = PromptTemplates.render("router-user.txt", Map.of(
                "pictures", Conversations.picturesNote(request),
                "request", request.text(),
                "image", Conversations.imageNote(request),
                "mask", request.maskPath() == null ? "No mask is given." : "A mask is given: the white area is to be repainted."));
        PlanKind kind;
        Integer named = null;
        try {
            Drafts.Route route = llm.record(Conversations.of(system, request, user, false), Drafts.Route.class, settings.options());
            kind = route.kind();
            named = route.picture();
            log.debug("router chose {} (picture {}) because {}", kind, named, route.reason());
        } catch (PlannerOutputException e) {
            var llmga = LlmgaAnswer.parse(e.rawAnswer());
            if (llmga.isPresent()) return new Choice(PlanKind.GENERATE, llmga.get());
            kind = guess(request);
            warnings.add("the model gave no usable choice of plan; chose " + kind.name().toLowerCase(Locale.ROOT) + " from the wording");
        }
        Integer picture = picture(request, kind, named, warnings);
        return new Choice(constrain(withPicture(request, picture), kind, warnings), null, picture);
    }

    /**
     * The conversation picture the plan is about: the one the model named when it exists, else one named in words,
     * else the attached one, else the latest when the kind needs a picture. Null when the conversation has none.
     */
    static Integer picture(PlanRequest request, PlanKind kind, Integer named, List<String> warnings) {
        int count = request.pictures().size();
        if (count == 0) return null;
        if (named != null && named == 0) named = null;  // models often write 0 for "none"
        if (named != null && named >= 1 && named <= count) return named;
        if (named != null) warnings.add("the model named picture " + named + ", but the conversation has " + count + "; read the request's words instead");
        var inWords = PictureReference.fromWords(request.text(), count);
        if (inWords.isPresent()) return inWords.get();
        if (request.hasImage()) {
            // the picture attached with the request, when it is one of the conversation's
            if (kind == PlanKind.GENERATE || kind == PlanKind.RETRIEVE) return null;
            for (int i = 0; i < count; i++) {
                if (java.util.Arrays.equals(request.pictures().get(i).bytes(), request.image().bytes())) return i + 1;
            }
            return null;
        }
        if (kind.needsImage()) return count;
        return null;
    }

    /** The request with the chosen conversation picture as its picture. */
    static PlanRequest withPicture(PlanRequest request, Integer picture) {
        return picture == null ? request : request.withImage(request.picture(picture));
    }

    /** Overrules choices that cannot work with what was given. */
    static PlanKind constrain(PlanRequest request, PlanKind kind, List<String> warnings) {
        if (kind.needsImage() && !request.hasImage()) {
            warnings.add("a " + kind.name().toLowerCase(Locale.ROOT) + " needs a picture and none was given; a new picture is generated instead");
            return PlanKind.GENERATE;
        }
        if (request.maskPath() != null && request.hasImage() && (kind == PlanKind.EDIT || kind == PlanKind.GENERATE)) {
            return PlanKind.INPAINT;
        }
        return kind;
    }

    /** The choice from word cues alone, for when the model gives none. */
    static PlanKind guess(PlanRequest request) {
        String text = request.text().strip();
        if (request.hasImage()) {
            if (request.maskPath() != null) return PlanKind.INPAINT;
            if (SIMILAR.matcher(text).find()) return PlanKind.SIMILAR;
            if (OUTPAINT.matcher(text).find()) return PlanKind.OUTPAINT;
            if (INPAINT.matcher(text).find()) return PlanKind.INPAINT;
            if (QUESTION.matcher(text).matches()) return PlanKind.ANSWER;
            return PlanKind.EDIT;
        }
        if (RETRIEVE.matcher(text).find()) return PlanKind.RETRIEVE;
        if (QUESTION.matcher(text).matches() && !ASKS_TO_MAKE.matcher(text).find()) return PlanKind.ANSWER;
        return PlanKind.GENERATE;
    }
}
