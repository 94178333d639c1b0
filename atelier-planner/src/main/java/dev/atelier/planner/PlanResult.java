package dev.atelier.planner;

import dev.atelier.core.plan.Plan;
import java.util.List;

/**
 * A plan and what the person should know about how it came about.
 *
 * @param warnings one line each: repairs, fallbacks, lost words (never empty strings)
 */
public record PlanResult(Plan plan, PlanKind kind, List<String> warnings) {
    public PlanResult {
        warnings = List.copyOf(warnings);
    }
}
