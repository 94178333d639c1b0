package dev.atelier.core.plan;

/** Reply in words (about a picture, or advice); nothing is rendered. */
public record AnswerPlan(String text) implements Plan {
    public AnswerPlan { text = Plan.requireText(text, "text", "answer"); }
}
