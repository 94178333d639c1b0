package dev.atelier.core.plan;

/** Find an existing picture that matches the query (GILL's retrieval) instead of generating one. */
public record RetrievePlan(String query) implements Plan {
    public RetrievePlan { query = Plan.requireText(query, "query", "retrieve"); }
}
