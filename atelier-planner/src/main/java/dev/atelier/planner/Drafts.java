package dev.atelier.planner;

import java.util.List;

/**
 * The shapes the language model fills in (their JSON Schemas constrain its answer). They hold only what the model
 * decides; render settings come from the person. Compact constructors reject what cannot be used, so an invalid
 * answer is caught at reading time and asked again with the reason.
 */
public final class Drafts {
    private Drafts() {}

    /** The router's choice; the reason comes first so the model thinks before it decides. */
    public record Route(String reason, PlanKind kind) {
        public Route {
            if (kind == null) throw new IllegalArgumentException("\"kind\" is missing; choose one of " + List.of(PlanKind.values()));
        }
    }

    /**
     * Recaption plus region plan in one answer (RPG's single call).
     *
     * @param reasoning  the model's step-by-step thinking: entities, their attributes and places
     * @param rows       top to bottom; empty for one prompt over the whole canvas
     * @param basePrompt mixed into every region; null when the regions hold different kinds of things
     * @param baseRatio  β, the base prompt's weight
     */
    public record Generation(String reasoning, String prompt, String negativePrompt, List<Row> rows,
                             String basePrompt, Double baseRatio) {
        public Generation {
            if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("\"prompt\" is empty; write the detailed prompt");
            rows = rows == null ? List.of() : List.copyOf(rows);
        }
    }

    public record Row(double height, List<Region> regions) {
        public Row {
            regions = regions == null ? List.of() : List.copyOf(regions);
        }
    }

    public record Region(double width, String prompt) {}

    /** What to repaint and what to paint there. */
    public record Inpaint(String target, String prompt) {
        public Inpaint {
            if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("\"prompt\" is empty; say what to paint");
        }
    }

    /** How far to extend each side, in pixels, and what the new area shows. */
    public record Outpaint(String prompt, int left, int top, int right, int bottom) {
        public Outpaint {
            if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("\"prompt\" is empty; describe the extended scene");
        }
    }

    /** A description of the given picture and the prompt of a new one like it. */
    public record Similar(String caption, String prompt) {
        public Similar {
            if (caption == null || caption.isBlank()) throw new IllegalArgumentException("\"caption\" is empty; describe the picture");
            if (prompt == null || prompt.isBlank()) throw new IllegalArgumentException("\"prompt\" is empty; write the new prompt");
        }
    }

    /** A search query for existing pictures. */
    public record Retrieve(String query) {
        public Retrieve {
            if (query == null || query.isBlank()) throw new IllegalArgumentException("\"query\" is empty; write the search words");
        }
    }
}
