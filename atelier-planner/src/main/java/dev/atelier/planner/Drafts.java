package dev.atelier.planner;

import dev.atelier.core.json.SchemaField;
import java.util.List;

/**
 * The shapes the language model fills in (their JSON Schemas constrain its answer). They hold only what the model
 * decides; render settings come from the person. Compact constructors reject what cannot be used, so an invalid
 * answer is caught at reading time and asked again with the reason.
 */
public final class Drafts {
    private Drafts() {}

    /**
     * The router's choice; the reason comes first so the model thinks before it decides. {@code picture} is the
     * number of the conversation's picture the request is about, when it names or means one.
     */
    public record Route(
            @SchemaField(description = "one short sentence: what the request asks for", maxLength = 300) String reason,
            @SchemaField(description = "the kind of plan the request needs") PlanKind kind,
            @SchemaField(description = "number of the conversation's picture the request is about; null (or 0) for none",
                    minimum = 0, maximum = 1000, optional = true) Integer picture) {
        public Route {
            if (kind == null) throw new IllegalArgumentException("\"kind\" is missing; choose one of " + List.of(PlanKind.values()));
        }

        public Route(String reason, PlanKind kind) { this(reason, kind, null); }
    }

    /**
     * Recaption plus region plan in one answer (RPG's single call).
     *
     * @param reasoning  the model's step-by-step thinking: entities, their attributes and places
     * @param rows       top to bottom; empty for one prompt over the whole canvas
     * @param basePrompt mixed into every region; null when the regions hold different kinds of things
     * @param baseRatio  β, the base prompt's weight
     */
    public record Generation(
            @SchemaField(description = "step by step: the key entities with their attributes, then where each goes", maxLength = 500)
            String reasoning,
            @SchemaField(description = "the detailed prompt of the whole picture, at most 60 words, keeping every word of the request",
                    minLength = 1, maxLength = 350)
            String prompt,
            @SchemaField(description = "what to keep out of the picture, a few words", maxLength = 200, optional = true)
            String negativePrompt,
            @SchemaField(description = "rows from top to bottom; empty for one prompt over the whole picture", maxItems = 4)
            List<Row> rows,
            @SchemaField(description = "prompt mixed into every region when several regions hold the same kind of thing", maxLength = 300, optional = true)
            String basePrompt,
            @SchemaField(description = "weight of the base prompt, 0.3 to 0.5", minimum = 0, maximum = 1, optional = true)
            Double baseRatio) {
        public Generation {
            if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("\"prompt\" is empty; write the detailed prompt");
            rows = rows == null ? List.of() : List.copyOf(rows);
        }
    }

    public record Row(
            @SchemaField(description = "relative height of the row", minimum = 0.01, maximum = 100) double height,
            @SchemaField(description = "regions from left to right, one entity each", minItems = 1, maxItems = 4) List<Region> regions) {
        public Row {
            regions = regions == null ? List.of() : List.copyOf(regions);
        }
    }

    public record Region(
            @SchemaField(description = "relative width of the region within its row", minimum = 0.01, maximum = 100) double width,
            @SchemaField(description = "a richer prompt of this region's entity, at most 60 words", minLength = 1, maxLength = 350) String prompt) {}

    /** What to repaint and what to paint there. */
    public record Inpaint(
            @SchemaField(description = "the area to repaint, as a short noun phrase", maxLength = 200) String target,
            @SchemaField(description = "what is painted there, at most 40 words", minLength = 1, maxLength = 300) String prompt) {
        public Inpaint {
            if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("\"prompt\" is empty; say what to paint");
        }
    }

    /** How far to extend each side, in pixels, and what the new area shows. */
    public record Outpaint(
            @SchemaField(description = "the whole extended scene, at most 50 words", minLength = 1, maxLength = 400) String prompt,
            @SchemaField(description = "pixels added on the left", minimum = 0, maximum = 2048) int left,
            @SchemaField(description = "pixels added on top", minimum = 0, maximum = 2048) int top,
            @SchemaField(description = "pixels added on the right", minimum = 0, maximum = 2048) int right,
            @SchemaField(description = "pixels added at the bottom", minimum = 0, maximum = 2048) int bottom) {
        public Outpaint {
            if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("\"prompt\" is empty; describe the extended scene");
        }
    }

    /** A description of the given picture and the prompt of a new one like it. */
    public record Similar(
            @SchemaField(description = "the given picture in one sentence", minLength = 1, maxLength = 300) String caption,
            @SchemaField(description = "the new picture's detailed prompt, at most 60 words", minLength = 1, maxLength = 400) String prompt) {
        public Similar {
            if (caption == null || caption.isBlank()) throw new IllegalArgumentException("\"caption\" is empty; describe the picture");
            if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("\"prompt\" is empty; write the new prompt");
        }
    }

    /** A search query for existing pictures. */
    public record Retrieve(
            @SchemaField(description = "search words, at most 12", minLength = 1, maxLength = 120) String query) {
        public Retrieve {
            if (query == null || query.isBlank()) throw new IllegalArgumentException("\"query\" is empty; write the search words");
        }
    }
}
