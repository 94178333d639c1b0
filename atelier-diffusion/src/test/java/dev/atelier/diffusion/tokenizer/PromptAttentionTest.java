package dev.atelier.diffusion.tokenizer;

import dev.atelier.core.AtelierException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Expected values are the examples documented with A1111's parse_prompt_attention. */
class PromptAttentionTest {

    private static void assertParses(String prompt, Object... textWeightPairs) {
        List<PromptAttention.Segment> segments = PromptAttention.parse(prompt);
        assertThat(segments).as(prompt).hasSize(textWeightPairs.length / 2);
        for (int i = 0; i < segments.size(); i++) {
            assertThat(segments.get(i).text()).as(prompt + " #" + i).isEqualTo(textWeightPairs[2 * i]);
            assertThat(segments.get(i).weight()).as(prompt + " #" + i)
                    .isCloseTo((Double) textWeightPairs[2 * i + 1], within(1e-12));
        }
    }

    @Test
    void parsesTheDocumentedExamples() {
        assertParses("normal text", "normal text", 1.0);
        assertParses("an (important) word", "an ", 1.0, "important", 1.1, " word", 1.0);
        assertParses("(unbalanced", "unbalanced", 1.1);
        assertParses("\\(literal\\]", "(literal]", 1.0);
        assertParses("(unnecessary)(parens)", "unnecessaryparens", 1.1);
        assertParses("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
                "a ", 1.0, "house", 1.5730000000000004, " ", 1.1, "on", 1.0, " a ", 1.1, "hill", 0.55,
                ", sun, ", 1.1, "sky", 1.4641000000000006, ".", 1.1);
    }

    @Test
    void handlesSquareBracketsNestingAndStrayClosers() {
        assertParses("[faded]", "faded", 1 / 1.1);
        assertParses("((double))", "double", 1.1 * 1.1);
        assertParses("[[a]] b", "a", 1 / 1.1 / 1.1, " b", 1.0);
        assertParses("(cat: 1.5 )", "cat", 1.5);
        assertParses("a) b] c:1.2)", "a) b] c:1.2)", 1.0);
        assertParses("", "", 1.0);
    }

    @Test
    void splitsOnBreak() {
        List<PromptAttention.Segment> segments = PromptAttention.parse("cat BREAK dog");
        assertThat(segments).extracting(PromptAttention.Segment::text).containsExactly("cat", "BREAK", "dog");
        assertThat(segments.get(1).isBreak()).isTrue();
        assertThat(segments.get(0).isBreak()).isFalse();
        // inside brackets too (A1111 would turn it into the word "break" weighted −1.1)
        List<PromptAttention.Segment> bracketed = PromptAttention.parse("(a BREAK b)");
        assertThat(bracketed).extracting(PromptAttention.Segment::text).containsExactly("a", "BREAK", "b");
        assertThat(bracketed).extracting(PromptAttention.Segment::isBreak).containsExactly(false, true, false);
        assertThat(bracketed.get(2).weight()).isCloseTo(1.1, within(1e-12));
        // only the whole word counts
        assertThat(PromptAttention.parse("BREAKFAST")).extracting(PromptAttention.Segment::text)
                .containsExactly("BREAKFAST");
    }

    @Test
    void rejectsAMalformedWeightWithAClearMessage() {
        assertThatThrownBy(() -> PromptAttention.parse("(cat:1.2.3)"))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("1.2.3").hasMessageContaining("(word:1.3)");
    }
}
