package dev.atelier.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SplitRatioTest {

    @Test
    void aRatioWithoutSemicolonIsOneRowOfColumns() {
        SplitRatio ratio = SplitRatio.parse("1,1,1");

        assertThat(ratio.rows()).hasSize(1);
        assertThat(ratio.rows().getFirst().widths()).containsExactly(1.0, 1.0, 1.0);
        assertThat(ratio.regionCount()).isEqualTo(3);
    }

    @Test
    void withSemicolonsTheFirstNumberOfEachRowIsItsHeight() {
        SplitRatio ratio = SplitRatio.parse("1,1,1;2,1,1;4,3,2,3");

        assertThat(ratio.rows()).extracting(SplitRatio.Row::height).containsExactly(1.0, 2.0, 4.0);
        assertThat(ratio.rows()).extracting(SplitRatio.Row::widths)
                .containsExactly(List.of(1.0, 1.0), List.of(1.0, 1.0), List.of(3.0, 2.0, 3.0));
        assertThat(ratio.regionCount()).isEqualTo(7);
    }

    @Test
    void aRowWithOnlyAHeightIsOneFullWidthRegion() {
        SplitRatio ratio = SplitRatio.parse("1;1;1");

        assertThat(ratio.rows()).hasSize(3).allSatisfy(row -> assertThat(row.widths()).containsExactly(1.0));
    }

    @Test
    void twoRowsOfTwoAreATwoByTwoGrid() {
        assertThat(SplitRatio.parse("1,1,1;1,1,1").regionCount()).isEqualTo(4);
    }

    @Test
    void fractionalWeightsAndSpacesAreAccepted() {
        assertThat(SplitRatio.parse(" 0.5, 0.5 ").rows().getFirst().widths()).containsExactly(0.5, 0.5);
        assertThat(SplitRatio.parse("1,1,1; 1,1,1").regionCount()).isEqualTo(4);
    }

    @Test
    void theTextFormRoundTrips() {
        for (String text : List.of("1,1,1", "1,1,1;2,1,1;4,3,2,3", "1;1;1", "0.5,0.5", "1;2,1,2.5")) {
            assertThat(SplitRatio.parse(text).toString()).isEqualTo(text);
            assertThat(SplitRatio.parse(SplitRatio.parse(text).toString())).isEqualTo(SplitRatio.parse(text));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "1,,1", "1;", ";1", "1,a", "0,1", "-1,1", "1;0,1", "1,NaN", "1,Infinity", "1,1e308"})
    void malformedRatiosAreRejectedWithAnExplanation(String text) {
        assertThatThrownBy(() -> SplitRatio.parse(text))
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageMatching("(?s).*(split ratio|positive).*");
    }

    @Test
    void tooManyRegionsAreRejected() {
        String sixtyFive = String.join(",", java.util.Collections.nCopies(65, "1"));

        assertThatThrownBy(() -> SplitRatio.parse(sixtyFive)).isInstanceOf(InvalidPlanException.class).hasMessageContaining("65 regions");
    }
}
