package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.plan.SplitRatio;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every way RPG's own parser breaks (REFERENCE §1) is read correctly here, or reported, never a crash. */
class RpgAnswerParserTest {

    private static RpgAnswerParser.Parsed parsed(String answer) {
        RpgAnswerParser.Result result = RpgAnswerParser.parse(answer);
        assertThat(result).as("result of %s", answer).isInstanceOf(RpgAnswerParser.Parsed.class);
        return (RpgAnswerParser.Parsed) result;
    }

    @Test
    void theCanonicalFormGivesRatioAndPromptsInOrder() {
        var p = parsed("Final split ratio: 1,1;1,2,1\nRegional Prompt: a blue sky BREAK a red barn BREAK a white horse");

        assertThat(p.ratio()).isEqualTo(SplitRatio.parse("1,1;1,2,1"));
        assertThat(p.prompts()).containsExactly("a blue sky", "a red barn", "a white horse");
    }

    @Test
    void aSpaceAfterTheSemicolonKeepsEveryRow() {
        var p = parsed("Final split ratio: 1,1,1; 1,1,1\nRegional Prompt: a BREAK b BREAK c BREAK d");

        assertThat(p.ratio().regionCount()).isEqualTo(4);
        assertThat(p.ratio().rows()).hasSize(2);
    }

    @Test
    void markdownBoldAroundTheLabelsIsIgnored() {
        var p = parsed("**Final split ratio:** 1;1\n**Regional Prompt:** a snowy mountain BREAK a frozen lake");

        assertThat(p.ratio()).isEqualTo(SplitRatio.parse("1;1"));
        assertThat(p.prompts()).containsExactly("a snowy mountain", "a frozen lake");
    }

    @Test
    void promptsOnTheLinesBelowTheLabelAreFound() {
        var p = parsed("Final split ratio: 1,1\nRegional Prompt:\nan old oak tree in spring BREAK\nan old oak tree in winter");

        assertThat(p.prompts()).containsExactly("an old oak tree in spring", "an old oak tree in winter");
    }

    @Test
    void aRatioOnTheLineBelowItsLabelIsFound() {
        var p = parsed("### Final split ratio:\n1, 2, 1\n### Regional Prompt:\n- a fox\n- a hare");

        assertThat(p.ratio()).isEqualTo(SplitRatio.parse("1,2,1"));
        assertThat(p.prompts()).containsExactly("a fox", "a hare");
    }

    @Test
    void theOlderParenthesisedStyleIsReadAsTheSameNumbers() {
        var p = parsed("Final split ratio: 1,(1,1); 2,(2,1)\nRegional Prompt: a BREAK b BREAK c BREAK d");

        assertThat(p.ratio()).isEqualTo(SplitRatio.parse("1,1,1;2,2,1"));
        assertThat(p.notes()).anySatisfy(n -> assertThat(n).contains("read as"));
    }

    @Test
    void backTicksAroundTheRatioAndPromptsAreIgnored() {
        var p = parsed("Final split ratio: `1,2,1`\nRegional Prompt: `a fox BREAK a hare`");

        assertThat(p.ratio()).isEqualTo(SplitRatio.parse("1,2,1"));
        assertThat(p.prompts()).containsExactly("a fox", "a hare");
    }

    @Test
    void aRatioInsideACodeFenceIsRead() {
        var p = parsed("```\nFinal split ratio: 1;1\nRegional Prompt: sky BREAK sea\n```");

        assertThat(p.prompts()).containsExactly("sky", "sea");
    }

    @Test
    void aBlankLineInsideThePromptListDoesNotEndIt() {
        var p = parsed("Final split ratio: 1;1;1\nRegional Prompt: a starry sky BREAK\n\na lighthouse on a cliff BREAK\n\nwaves on rocks");

        assertThat(p.prompts()).containsExactly("a starry sky", "a lighthouse on a cliff", "waves on rocks");
    }

    @Test
    void anExplanationAfterTheLastPromptIsNotPartOfIt() {
        var p = parsed("Final split ratio: 1,1\nRegional Prompt: a black cat on a sofa BREAK a white cat on a sofa\n\n"
                + "This layout puts the black cat on the left because the caption says so.");

        assertThat(p.prompts()).containsExactly("a black cat on a sofa", "a white cat on a sofa");
        assertThat(p.notes()).anySatisfy(n -> assertThat(n).contains("after the last region prompt"));
    }

    @Test
    void anExplanationOnTheNextLineWithoutABlankLineIsAlsoLeftOut() {
        var p = parsed("Final split ratio: 1,1\nRegional Prompt: a black cat BREAK a white cat\nNote: both cats share the sofa.");

        assertThat(p.prompts()).containsExactly("a black cat", "a white cat");
    }

    @Test
    void aDraftRatioInsideTheReasoningLosesToTheFinalOne() {
        var p = parsed("""
                Let me think. At first a Final split ratio: 1,1 would do, but the sky needs its own row.
                Final split ratio: 1;1,1,1
                Regional Prompt: a clear blue sky BREAK a black cat BREAK a white cat""");

        assertThat(p.ratio()).isEqualTo(SplitRatio.parse("1;1,1,1"));
        assertThat(p.prompts()).hasSize(3);
    }

    @Test
    void anEchoedTemplateExampleBeforeTheAnswerIsIgnored() {
        var p = parsed("""
                Caption: two cats on a sofa
                Final split ratio: 1,1
                Regional Prompt: a black cat BREAK a white cat

                Caption: a lighthouse at night
                Final split ratio: 2;1
                Regional Prompt: a starry sky BREAK a lighthouse on a cliff""");

        assertThat(p.ratio()).isEqualTo(SplitRatio.parse("2;1"));
        assertThat(p.prompts()).containsExactly("a starry sky", "a lighthouse on a cliff");
    }

    @Test
    void aRatioMentionedInAnExplanationAfterThePromptsDoesNotReplaceTheAnswer() {
        var p = parsed("Final split ratio: 1,1\nRegional Prompt: a fox BREAK a hare\n\nThe split ratio: 1,1 gives two columns.");

        assertThat(p.prompts()).containsExactly("a fox", "a hare");
    }

    @Test
    void fewerOrMorePromptsThanRegionsAreReportedAsTheyAreNotFixed() {
        var fewer = parsed("Final split ratio: 1,1,1\nRegional Prompt: a fox BREAK a hare");
        var more = parsed("Final split ratio: 1,1\nRegional Prompt: a fox BREAK a hare BREAK an owl");

        assertThat(fewer.ratio().regionCount()).isEqualTo(3);
        assertThat(fewer.prompts()).hasSize(2);
        assertThat(more.ratio().regionCount()).isEqualTo(2);
        assertThat(more.prompts()).containsExactly("a fox", "a hare", "an owl");
    }

    @Test
    void promptsWrittenAsANumberedListAreReadAsRegions() {
        var p = parsed("Final split ratio: 1,1\nRegional Prompt:\n1. a black cat on the left\n2. a white cat on the right");

        assertThat(p.prompts()).containsExactly("a black cat on the left", "a white cat on the right");
    }

    @Test
    void quotesAroundPromptsAndTrailingSentencePunctuationOnTheRatioAreRemoved() {
        var p = parsed("Final Split Ratio: 1,1.\nRegional Prompts: \"a fox\" BREAK \"a hare\"");

        assertThat(p.ratio()).isEqualTo(SplitRatio.parse("1,1"));
        assertThat(p.prompts()).containsExactly("a fox", "a hare");
    }

    @Test
    void theOptionalDetailedPromptLineIsPickedUp() {
        var p = parsed("Detailed prompt: two cats on a red sofa, photo\nFinal split ratio: 1,1\nRegional Prompt: a BREAK b");

        assertThat(p.detailedPrompt()).isEqualTo("two cats on a red sofa, photo");
    }

    @Test
    void answersWithoutAPlanAreUnreadableWithAReason() {
        assertThat(RpgAnswerParser.parse("")).isInstanceOf(RpgAnswerParser.Unreadable.class);
        assertThat(RpgAnswerParser.parse("I think two columns would be nice."))
                .isEqualTo(new RpgAnswerParser.Unreadable("the answer has no \"Final split ratio:\" line"));
        assertThat(RpgAnswerParser.parse("Final split ratio: 1,1 and that is all"))
                .isInstanceOfSatisfying(RpgAnswerParser.Unreadable.class, u -> assertThat(u.reason()).contains("Regional Prompt"));
        assertThat(RpgAnswerParser.parse("Final split ratio: two columns\nRegional Prompt: a BREAK b"))
                .isInstanceOfSatisfying(RpgAnswerParser.Unreadable.class, u -> assertThat(u.reason()).contains("no numbers"));
        assertThat(RpgAnswerParser.parse("Final split ratio: 1,0\nRegional Prompt: a BREAK b"))
                .isInstanceOfSatisfying(RpgAnswerParser.Unreadable.class, u -> assertThat(u.reason()).contains("positive"));
        assertThat(RpgAnswerParser.parse("Final split ratio: 1,1\nRegional Prompt: BREAK"))
                .isInstanceOfSatisfying(RpgAnswerParser.Unreadable.class, u -> assertThat(u.reason()).contains("empty"));
    }

    @Test
    void noInputMakesItThrow() {
        Random random = new Random(7);
        String alphabet = "Final split ratio:Regional Prompt:BREAK 0123456789.,;()`*_#\n\t\"'<>[]abc";
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(200);
            for (int k = 0; k < n; k++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            RpgAnswerParser.Result result = RpgAnswerParser.parse(sb.toString());
            assertThat(result).isNotNull();
            if (result instanceof RpgAnswerParser.Parsed p) {
                assertThat(p.prompts()).isNotEmpty().allSatisfy(prompt -> assertThat(prompt).isNotBlank());
            }
        }
    }
}
