package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromptFitTest {

    @Test
    void theEstimateCountsClipPiecesAndLongWordsAsSeveral() {
        assertThat(PromptFit.estimateClipTokens("a photo of a cat")).isEqualTo(5);   // CLIP: 320 1125 539 320 2368
        assertThat(PromptFit.estimateClipTokens("photorealistic")).isEqualTo(3);    // CLIP: two; the estimate leans long
        assertThat(PromptFit.estimateClipTokens("1024, cat's")).isEqualTo(7);       // digits one by one, "," and "'s"
    }

    @Test
    void aPromptWithinTheWindowIsLeftAlone() {
        assertThat(PromptFit.clip().fit("  a red fox in snow ")).isEqualTo("a red fox in snow");
    }

    @Test
    void aLongPromptIsCutAtTheLastClauseThatFits() {
        String prompt = "a red fox in snow, " + "tall pines, ".repeat(40) + "dawn";
        String fitted = PromptFit.clip().fit(prompt);

        assertThat(PromptFit.estimateClipTokens(fitted)).isLessThanOrEqualTo(PromptFit.CLIP_WINDOW);
        assertThat(PromptFit.estimateClipTokens(fitted + ", tall pines")).isGreaterThan(PromptFit.CLIP_WINDOW);
        assertThat(fitted).startsWith("a red fox in snow, tall pines").endsWith("tall pines");
    }

    @Test
    void aLongPromptWithoutCommasIsCutAtAWord() {
        String fitted = PromptFit.clip().fit("fox ".repeat(100));

        assertThat(fitted.split(" ")).hasSize(PromptFit.CLIP_WINDOW);
    }

    @Test
    void missingWordsIgnoreFillerAndPluralForms() {
        assertThat(PromptFit.contentWords("please make a picture of two red cats")).containsExactly("two", "red", "cats");
        assertThat(PromptFit.missingWords("two red cats on a bench", "two red cat sitting on a park bench")).isEmpty();
        assertThat(PromptFit.missingWords("two red cats on a bench", "a cat on a bench")).containsExactly("two", "red");
    }
}
