package dev.atelier.core.plan;

/**
 * Reply in words (about a picture, or advice); nothing is rendered. {@code picture} names the conversation's picture
 * the question is about (numbered from 1), or is null.
 */
public record AnswerPlan(String text, Integer picture) implements Plan {
    public AnswerPlan {
        text = Plan.requireText(text, "text", "answer");
        picture = Plan.pictureNumber(picture);
    }

    public AnswerPlan(String text) { this(text, null); }

    public AnswerPlan withPicture(Integer number) { return new AnswerPlan(text, number); }
}
