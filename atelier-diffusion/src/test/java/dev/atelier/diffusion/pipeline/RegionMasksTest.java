package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.RegionLayout;
import dev.atelier.core.plan.SplitRatio;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Region masks at latent resolution: hard rectangles that tile the grid, one owner per cell. */
class RegionMasksTest {

    private static RegionMasks masks(String ratio, int width, int height) {
        SplitRatio split = SplitRatio.parse(ratio);
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < split.regionCount(); i++) prompts.add("region " + i);
        return RegionMasks.of(RegionLayout.of(split, prompts), width, height);
    }

    /** The owner of every cell as text, one line per grid row. */
    private static String picture(RegionMasks m) {
        StringBuilder b = new StringBuilder();
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) b.append(m.regionAt(x, y));
            b.append('\n');
        }
        return b.toString();
    }

    @Test
    void threeRowsOfHeights1To2To4WithTheLastSplit3To2To3OnAn8By7Grid() {
        RegionMasks m = masks("1,1,1;2,1,1;4,3,2,3", 8, 7);
        assertThat(m.regionCount()).isEqualTo(7);
        assertThat(picture(m)).isEqualTo("""
                00001111
                22223333
                22223333
                44455666
                44455666
                44455666
                44455666
                """);
    }

    @Test
    void unevenSplitsRoundSharedEdgesAlikeSoEveryCellHasExactlyOneRegion() {
        RegionMasks m = masks("1,1,1", 8, 3);
        assertThat(picture(m)).isEqualTo("""
                00011222
                00011222
                00011222
                """);
        RegionMasks grid = masks("1,1,1,1;1,1,1", 7, 5); // rows of thirds and halves on 7 × 5: no edge falls on a cell boundary
        int[] area = new int[grid.regionCount()];
        float[] sum = new float[grid.width() * grid.height()];
        for (int r = 0; r < grid.regionCount(); r++) {
            float[] mask = grid.mask(r);
            for (int i = 0; i < mask.length; i++) {
                sum[i] += mask[i];
                area[r] += (int) mask[i];
            }
        }
        for (float s : sum) assertThat(s).as("masks sum to one in every cell").isEqualTo(1f);
        assertThat(java.util.Arrays.stream(area).min().orElseThrow()).as("every region has cells").isPositive();
        assertThat(java.util.Arrays.stream(area).sum()).isEqualTo(35);
    }

    @Test
    void aRegionTooThinForTheLatentIsAnErrorThatSaysWhatToDo() {
        assertThatThrownBy(() -> masks("1,100", 8, 8)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("region 1").hasMessageContaining("too thin").hasMessageContaining("larger");
    }

    @Test
    void aBaseRatioWithoutABasePromptIsZero() {
        RegionLayout layout = RegionLayout.of(SplitRatio.parse("1,1"), List.of("a", "b"));
        assertThat(new RegionalPrompt(layout, "  ", 0.4).baseRatio()).isZero();
        assertThat(new RegionalPrompt(layout, null, 0.4).basePrompt()).isNull();
        assertThat(new RegionalPrompt(layout, " cats ", 0.4)).isEqualTo(new RegionalPrompt(layout, "cats", 0.4));
        assertThatThrownBy(() -> new RegionalPrompt(layout, "cats", 1.5)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("between 0 and 1");
    }
}
