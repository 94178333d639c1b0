package dev.atelier.vision.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.testkit.vision.ToyCaptioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2TokenizerTest {

    @TempDir
    Path dir;

    private Gpt2Tokenizer toy(boolean mergesAsPairs) throws Exception {
        ToyCaptioner.writeTokenizer(dir, mergesAsPairs);
        return Gpt2Tokenizer.load(dir);
    }

    @Test
    void wordsOfTheVocabularyAreOneTokenEachInBothMergeForms() throws Exception {
        for (boolean pairs : new boolean[] {false, true}) {
            Gpt2Tokenizer t = toy(pairs);
            assertThat(t.encode("a red square")).containsExactly(
                    ToyCaptioner.tokenId("a"), ToyCaptioner.tokenId("Ġred"), ToyCaptioner.tokenId("Ġsquare"));
            assertThat(t.encode("un carré jaune")).containsExactly(ToyCaptioner.tokenId("un"),
                    ToyCaptioner.tokenId("Ġcarr"), ToyCaptioner.tokenId("Ã©"), ToyCaptioner.tokenId("Ġjaune"));
        }
    }

    @Test
    void unknownWordsFallBackToByteSymbols() throws Exception {
        Gpt2Tokenizer t = toy(false);
        // "Ġz", "o" are not merged: one token per byte, the space spelled Ġ
        assertThat(t.encode(" zo")).containsExactly(ToyCaptioner.tokenId("Ġ"), ToyCaptioner.tokenId("z"), ToyCaptioner.tokenId("o"));
        assertThat(t.encode("zo!")).containsExactly(ToyCaptioner.tokenId("z"), ToyCaptioner.tokenId("o"), ToyCaptioner.tokenId("!"));
    }

    @Test
    void addedTokensAreCutOutVerbatim() throws Exception {
        Gpt2Tokenizer t = toy(false);
        int eos = ToyCaptioner.endOfTextId();
        assertThat(t.encode("a<|endoftext|>a")).containsExactly(ToyCaptioner.tokenId("a"), eos, ToyCaptioner.tokenId("a"));
        assertThat(t.isSpecial(eos)).isTrue();
        assertThat(t.decode(List.of(eos, ToyCaptioner.tokenId("a"), eos), true)).isEqualTo("a");
        assertThat(t.decode(List.of(ToyCaptioner.tokenId("a"), eos), false)).isEqualTo("a<|endoftext|>");
    }

    @Test
    void nonAsciiTextRoundTripsThroughTheByteAlphabet() throws Exception {
        Gpt2Tokenizer t = toy(true);
        for (String text : List.of("un carré jaune", "crème brûlée 🍮 — ça va?", "日本語のテキスト", "tab\tand\nnewline  two spaces")) {
            assertThat(t.decode(t.encode(text), true)).isEqualTo(text);
        }
    }

    @Test
    void aCharacterSplitAcrossTokensIsDecodedWhole() throws Exception {
        Gpt2Tokenizer t = toy(false);
        // é is C3 A9 in UTF-8: the byte tokens Ã and © one after the other
        List<Integer> ids = List.of(ToyCaptioner.tokenId("Ġcarr"), ToyCaptioner.tokenId("Ã"), ToyCaptioner.tokenId("©"));
        assertThat(t.decode(ids, true)).isEqualTo(" carré");
        // a cut-off character becomes the replacement character rather than failing
        assertThat(t.decode(List.of(ToyCaptioner.tokenId("Ġcarr"), ToyCaptioner.tokenId("Ã")), true)).isEqualTo(" carr\uFFFD");
    }

    @Test
    void aTokenOutsideTheByteAlphabetIsItsOwnText() {
        Gpt2Tokenizer t = new Gpt2Tokenizer(Map.of("日本", 0, "Ġ", 1, "Ã©", 2), List.of(), List.of(), false, false);
        assertThat(t.decode(List.of(0, 1, 2), true)).isEqualTo("日本 é");
    }

    @Test
    void cleanUpRemovesSpacesBeforePunctuationWhenConfigured() throws Exception {
        Gpt2Tokenizer t = toy(false); // the toy's tokenizer_config.json asks for clean-up
        assertThat(t.decode(t.encode("a cat , a dog ."), true)).isEqualTo("a cat, a dog.");
        Gpt2Tokenizer plain = new Gpt2Tokenizer(Map.of("a", 0, "Ġ", 1, ",", 2), List.of(), List.of(), false, false);
        assertThat(plain.decode(List.of(0, 1, 2), true)).isEqualTo("a ,");
    }

    @Test
    void badInputIsOneClearLine() throws Exception {
        assertThatThrownBy(() -> Gpt2Tokenizer.load(dir)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("tokenizer.json").hasMessageNotContaining("\n");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\":{\"type\":\"Unigram\",\"vocab\":[[\"a\",0.0]]}}");
        assertThatThrownBy(() -> Gpt2Tokenizer.load(dir)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("byte-level BPE");
        Gpt2Tokenizer t = toy(false);
        assertThatThrownBy(() -> t.decode(List.of(100_000), true)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("100000");
    }
}
