package dev.atelier.planner;

import dev.atelier.llm.ChatOptions;

/**
 * How the planner talks to its model.
 *
 * @param regionFormat   JSON (schema-constrained) or RPG's text format
 * @param maxAttempts    answers asked for one plan before falling back (at least 1)
 * @param temperature    sampling temperature of planning calls (LLMGA uses 0.2)
 * @param seed           sampling seed, or null for the backend's
 * @param maxTokens      token limit of a planning answer
 * @param llmga          plan with one plain chat answer in LLMGA's convention ({@code <gen_image>prompt</gen_image>})
 *                       instead of routed, structured calls; for models fine-tuned that way
 */
public record PlannerSettings(RegionFormat regionFormat, int maxAttempts, double temperature, Long seed, int maxTokens,
                              boolean llmga) {

    public enum RegionFormat { JSON, RPG_TEXT }

    public static final PlannerSettings DEFAULTS = new PlannerSettings(RegionFormat.JSON, 3, 0.2, null, 1024, false);

    public PlannerSettings {
        if (regionFormat == null) regionFormat = RegionFormat.JSON;
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    }

    public PlannerSettings withRegionFormat(RegionFormat f) { return new PlannerSettings(f, maxAttempts, temperature, seed, maxTokens, llmga); }

    public PlannerSettings withSeed(Long s) { return new PlannerSettings(regionFormat, maxAttempts, temperature, s, maxTokens, llmga); }

    public PlannerSettings withLlmga(boolean on) { return new PlannerSettings(regionFormat, maxAttempts, temperature, seed, maxTokens, on); }

    public PlannerSettings withMaxAttempts(int n) { return new PlannerSettings(regionFormat, n, temperature, seed, maxTokens, llmga); }

    ChatOptions options() {
        ChatOptions o = ChatOptions.DEFAULTS.withTemperature(temperature).withMaxTokens(maxTokens);
        return seed == null ? o : o.withSeed(seed);
    }
}
