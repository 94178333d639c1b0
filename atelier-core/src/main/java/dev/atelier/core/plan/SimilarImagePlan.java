package dev.atelier.core.plan;

/**
 * Make a new picture like a given one (LLMGA's similar-image generation): describe it, then generate from a prompt
 * built on that description and the person's wishes.
 */
public record SimilarImagePlan(String caption, String prompt, String negativePrompt) implements Plan {
    public SimilarImagePlan {
        caption = Plan.requireText(caption, "caption", "similar-image");
        prompt = Plan.requireText(prompt, "prompt", "similar-image");
        negativePrompt = Plan.orEmpty(negativePrompt);
    }
}
