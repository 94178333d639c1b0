package dev.atelier.assistant;

import dev.atelier.core.plan.Plan;
import java.util.List;

/**
 * One turn: what the person said and attached, the plan made of it, and what came of the plan.
 *
 * @param attached numbers of the conversation pictures attached in this turn
 * @param plan     the plan (as rendered, after any edit by the person), or null when planning failed
 * @param warnings the planner's notes about repairs and fallbacks
 * @param outcome  the result of rendering, or null while planned or when skipped
 */
public record Turn(String text, List<Integer> attached, Plan plan, List<String> warnings, Status status, TurnOutcome outcome) {

    public enum Status { PLANNED, RENDERED, SKIPPED }

    public Turn {
        attached = attached == null ? List.of() : List.copyOf(attached);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        if (status == null) status = Status.PLANNED;
    }

    public Turn rendered(Plan finalPlan, TurnOutcome result) { return new Turn(text, attached, finalPlan, warnings, Status.RENDERED, result); }

    public Turn skipped() { return new Turn(text, attached, plan, warnings, Status.SKIPPED, null); }
}
