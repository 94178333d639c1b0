package dev.atelier.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegionLayoutTest {
    private static final double EPS = 1e-12;

    private static List<String> prompts(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "region " + i).toList();
    }

    @Test
    void rowsOfHeightsOneTwoFourTakeASeventhTwoSeventhsAndFourSevenths() {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse("1,1,1;2,1,1;4,3,2,3"), prompts(7));

        assertThat(layout.rowFractions()).containsExactly(new double[] {1 / 7.0, 2 / 7.0, 4 / 7.0}, within(EPS));
        assertThat(layout.columnFractions(2)).containsExactly(new double[] {3 / 8.0, 2 / 8.0, 3 / 8.0}, within(EPS));
    }

    @Test
    void placedRegionsAreReadRowByRowLeftToRightWithAccumulatedIntervals() {
        List<RegionLayout.PlacedRegion> placed = RegionLayout.of(SplitRatio.parse("1,1,1;2,1,1;4,3,2,3"), prompts(7)).placedRegions();

        assertThat(placed).extracting(RegionLayout.PlacedRegion::prompt).containsExactlyElementsOf(prompts(7));
        RegionLayout.Box lastRowMiddle = placed.get(5).box();
        assertThat(placed.get(5).row()).isEqualTo(2);
        assertThat(placed.get(5).column()).isEqualTo(1);
        assertThat(lastRowMiddle.left()).isCloseTo(3 / 8.0, within(EPS));
        assertThat(lastRowMiddle.right()).isCloseTo(5 / 8.0, within(EPS));
        assertThat(lastRowMiddle.top()).isCloseTo(3 / 7.0, within(EPS));
        assertThat(lastRowMiddle.bottom()).isEqualTo(1.0);
        assertThat(placed.get(0).box()).isEqualTo(new RegionLayout.Box(0, 0, 0.5, 1 / 7.0));
    }

    @Test
    void oneRowRatioGivesFullHeightColumns() {
        List<RegionLayout.PlacedRegion> placed = RegionLayout.of(SplitRatio.parse("1,1,1"), prompts(3)).placedRegions();

        assertThat(placed).allSatisfy(p -> {
            assertThat(p.box().top()).isZero();
            assertThat(p.box().bottom()).isEqualTo(1.0);
        });
        assertThat(placed).extracting(p -> p.box().right()).containsExactly(1 / 3.0, 2 / 3.0, 1.0);
    }

    @Test
    void boxesTileAGridWithoutGapsOrOverlaps() {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse("1,1,1;2,1,1;4,3,2,3"), prompts(7));
        int w = 37, h = 23;  // deliberately not divisible by 7 or 8
        int[][] owner = new int[h][w];
        for (int[] row : owner) java.util.Arrays.fill(row, -1);
        for (RegionLayout.PlacedRegion p : layout.placedRegions()) {
            RegionLayout.GridRect r = p.box().onGrid(w, h);
            for (int y = r.y0(); y < r.y1(); y++) {
                for (int x = r.x0(); x < r.x1(); x++) {
                    assertThat(owner[y][x]).as("cell %d,%d claimed twice", x, y).isEqualTo(-1);
                    owner[y][x] = p.index();
                }
            }
        }
        assertThat(java.util.Arrays.stream(owner).flatMapToInt(java.util.Arrays::stream)).doesNotContain(-1);
    }

    @Test
    void aDifferentNumberOfPromptsThanRegionsIsAnErrorNotASilentFix() {
        assertThatThrownBy(() -> RegionLayout.of(SplitRatio.parse("1,1;1,2,1"), prompts(4)))
                .isInstanceOf(RegionCountMismatchException.class)
                .hasMessageContaining("3 regions but 4 region prompts")
                .satisfies(e -> {
                    assertThat(((RegionCountMismatchException) e).regions()).isEqualTo(3);
                    assertThat(((RegionCountMismatchException) e).prompts()).isEqualTo(4);
                });
    }

    @Test
    void theLayoutGivesBackItsRatioAndPrompts() {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse("1,1;1,2,1"), List.of("sky", "left tree", "right tree"));

        assertThat(layout.splitRatio()).isEqualTo(SplitRatio.parse("1,1;1,2,1"));
        assertThat(layout.splitRatio().toString()).as("a one-region row is written by its height alone").isEqualTo("1;1,2,1");
        assertThat(layout.prompts()).containsExactly("sky", "left tree", "right tree");
        assertThat(layout.regionCount()).isEqualTo(3);
    }

    @Test
    void emptyRegionPromptsAreRejected() {
        assertThatThrownBy(() -> RegionLayout.of(SplitRatio.parse("1,1"), List.of("a cat", "  ")))
                .isInstanceOf(InvalidPlanException.class).hasMessageContaining("empty prompt");
    }
}
