package dev.atelier.diffusion.tokenizer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Hugging Face's clean-up without ftfy (BasicTokenizer without punctuation splitting or accent stripping). */
class TextCleanerTest {

    @Test
    void collapsesWhitespaceAndLowerCases() {
        assertThat(TextCleaner.clean("  A\tPhoto\n\nOF\u00A0a\u3000CAT  ")).isEqualTo("a photo of a cat");
        assertThat(TextCleaner.clean("line\u2028sep\u2029para")).isEqualTo("line sep para");
    }

    @Test
    void dropsControlAndFormatCharacters() {
        assertThat(TextCleaner.clean("zero\u200Bwidth\u0000nul\uFFFDrep\u0007bell\u000Bvt")).isEqualTo("zerowidthnulrepbellvt");
    }

    @Test
    void spacesCjkIdeographsAndComposesAccents() {
        assertThat(TextCleaner.clean("日本語テキスト")).isEqualTo("日 本 語 テキスト");
        assertThat(TextCleaner.clean("Cafe\u0301")).isEqualTo("caf\u00e9");
        assertThat(TextCleaner.clean("naïve")).isEqualTo("naïve");
    }

    @Test
    void lowerCasesSigmaLikePython() {
        assertThat(TextCleaner.lowerCase("ΟΔΟΣ")).isEqualTo("οδος");
        assertThat(TextCleaner.lowerCase("ΣΑΣ")).isEqualTo("σας");
        assertThat(TextCleaner.lowerCase("Σ")).isEqualTo("σ");
        // an undertie is neither cased nor case-ignorable, so the sigma after it is not final (Java alone says it is)
        assertThat(TextCleaner.lowerCase("A‿Σ")).isEqualTo("a‿σ");
        // ypogegrammeni is case-ignorable: the sigma before the comma is final
        assertThat(TextCleaner.lowerCase("ϲΣͺ,")).isEqualTo("ϲςͺ,");
        assertThat(TextCleaner.lowerCase("İ")).isEqualTo("i\u0307");
    }
}
