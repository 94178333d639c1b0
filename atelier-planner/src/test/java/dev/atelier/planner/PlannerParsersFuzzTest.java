package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atelier.testkit.fuzz.GrowthCheck;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The readers of model answers in the planner (RPG's ratio-and-prompts text, MGIE's instruction clean-up) and the
 * prompt fitter: linear in their input's length, never throwing, and truthful about what they cut.
 */
class PlannerParsersFuzzTest {
    private static final String VALID = "Final split ratio: 1,1\nRegional Prompt: a red fox BREAK a snowy forest";

    @Test
    void rpgParserIsLinearInRepeatedRatioLabels() {
        double labelsAlone = GrowthCheck.timeRatio(
                n -> RpgAnswerParser.parse("Final split ratio: 1,1\n".repeat(n)), 800, 32);
        assertThat(labelsAlone).as("32x the labels, quadratic would be ~1024x").isLessThan(300);
        double beforeOnePrompt = GrowthCheck.timeRatio(
                n -> RpgAnswerParser.parse("split ratio: ".repeat(n) + "\nRegional Prompt: a BREAK b"), 400, 32);
        assertThat(beforeOnePrompt).as("32x the labels on one line, quadratic would be ~1024x").isLessThan(300);
        double withPrompts = GrowthCheck.timeRatio(
                n -> RpgAnswerParser.parse("Final split ratio: x\nRegional Prompt:\n\n".repeat(n)), 500, 32);
        assertThat(withPrompts).as("32x the label pairs, quadratic would be ~1024x").isLessThan(300);
    }

    @Test
    void rpgParserIsLinearInRunsOfSeparatorsAndBlankLines() {
        double commas = GrowthCheck.timeRatio(
                n -> RpgAnswerParser.parse("Final split ratio: 1" + ",".repeat(n) + "x\nRegional Prompt: a" + ";".repeat(n) + "b"),
                8_000, 32);
        assertThat(commas).as("32x the commas, quadratic would be ~1024x").isLessThan(300);
        double blankLines = GrowthCheck.timeRatio(
                n -> RpgAnswerParser.parse(VALID + "\n" + " \n".repeat(n) + "Detailed prompt x"), 8_000, 32);
        assertThat(blankLines).as("32x the blank lines, quadratic would be ~1024x").isLessThan(300);
    }

    @Test
    void theLastCompleteAnswerStillWinsAfterRepeatedDrafts() {
        RpgAnswerParser.Result result = RpgAnswerParser.parse("Final split ratio: 9\n".repeat(50) + VALID);
        assertThat(result).isInstanceOf(RpgAnswerParser.Parsed.class);
        RpgAnswerParser.Parsed parsed = (RpgAnswerParser.Parsed) result;
        assertThat(parsed.prompts()).containsExactly("a red fox", "a snowy forest");
        assertThat(parsed.ratio().regionCount()).isEqualTo(2);
    }

    @Test
    void randomAnswersNeverThrow() {
        List<String> pieces = List.of("Final split ratio:", "Split Ratio =", "Regional Prompt:", "regional prompts:",
                " BREAK ", "[BREAK]", "1", "0", ",", ";", ".", "(", ")", "[", "]", " ", "\n", "\n\n", "**", "`", "# ",
                "- ", "1. ", "Region 1: ", "Note:", "Detailed prompt:", "a fox", "\"", "1e999", "-1", "9999999999");
        Random random = new Random(15);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int run = 0; run < 20_000; run++) {
                StringBuilder answer = new StringBuilder();
                for (int i = random.nextInt(40); i > 0; i--) answer.append(pieces.get(random.nextInt(pieces.size())));
                try {
                    RpgAnswerParser.Result result = RpgAnswerParser.parse(answer.toString());
                    if (result instanceof RpgAnswerParser.Unreadable u) assertThat(u.reason()).isNotBlank();
                    ExpressiveInstructions.clean(answer.toString());
                } catch (Throwable e) {
                    fail("reading " + answer + " threw " + e, e);
                }
            }
        });
    }

    @Test
    void mgieTrimmerIsLinearInRepeatedDanglingWords() {
        double ratio = GrowthCheck.timeRatio(
                n -> ExpressiveInstructions.clean("replace the fries " + "or ".repeat(n) + "alternatively"), 4_000, 32);
        assertThat(ratio).as("32x the words, quadratic would be ~1024x").isLessThan(300);
        double spaces = GrowthCheck.timeRatio(
                n -> ExpressiveInstructions.clean("\"salad" + " ".repeat(n) + "x\""), 16_000, 32);
        assertThat(spaces).as("32x the spaces, quadratic would be ~1024x").isLessThan(300);
    }

    @Test
    void mgieTrimmerStillDropsTheDanglingWordsOnly() {
        assertThat(ExpressiveInstructions.clean("replace the fries with a salad, or as an alternative use rice"))
                .isEqualTo("replace the fries with a salad");
        assertThat(ExpressiveInstructions.clean("paint the door " + "or ".repeat(6000) + "alternatively blue"))
                .isEqualTo("paint the door");
        assertThat(ExpressiveInstructions.clean("make the color OR alternatively")).isEqualTo("make the color");
    }

    @Test
    void aLongUnbrokenPromptIsCutToTheWindowAsThePlannerSays() {
        PromptFit fit = PromptFit.clip();
        String unbroken = "x".repeat(10_000);
        String fitted = fit.fit(unbroken);
        assertThat(fitted).isNotEmpty().hasSizeLessThan(unbroken.length()).isEqualTo("x".repeat(fitted.length()));
        assertThat(fit.fits(fitted)).isTrue();
        assertThat(fit.fits(fitted + "x")).as("the longest start that fits").isFalse();
        String afterWords = fit.fit("a " + "y".repeat(5_000));
        assertThat(fit.fits(afterWords)).isTrue();
        assertThat(afterWords).isNotEmpty();
    }
}
