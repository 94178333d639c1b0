package dev.atelier.core.plan;

/**
 * Make a new picture like a given one (LLMGA's similar-image generation): describe it, then generate from a prompt
 * built on that description and the person's wishes. {@code picture} names the conversation's picture it is like
 * (numbered from 1), or is null for the picture given with the request.
 */
public record SimilarImagePlan(String caption, String prompt, String negativePrompt, Integer picture) implements Plan {
    public SimilarImagePlan {
        caption = Plan.requireText(caption, "caption", "similar-image");
        prompt = Plan.requireText(prompt, "prompt", "similar-image");
        negativePrompt = Plan.orEmpty(negativePrompt);
        picture = Plan.pictureNumber(picture);
    }

    /** A picture like the one given with the request. */
    public SimilarImagePlan(String caption, String prompt, String negativePrompt) {
        this(caption, prompt, negativePrompt, null);
    }

    public SimilarImagePlan withPicture(Integer number) { return new SimilarImagePlan(caption, prompt, negativePrompt, number); }
}
