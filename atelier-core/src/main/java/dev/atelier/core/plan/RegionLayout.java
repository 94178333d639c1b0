package dev.atelier.core.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.List;

/**
 * A canvas cut into rows and regions, one prompt per region (RPG's layout). Rows run top to bottom, regions left to
 * right; heights and widths are relative weights. The number of prompts equals the number of regions by construction.
 */
public record RegionLayout(List<Row> rows) {

    /** A row: its height weight and its regions, left to right. */
    public record Row(double height, List<Region> regions) {
        public Row {
            SplitRatio.requireWeight(height, "row height");
            regions = List.copyOf(regions);
            if (regions.isEmpty()) throw new InvalidPlanException("A row of the region layout has no regions; give it at least one.");
        }
    }

    /** A region: its width weight within the row and what to draw there. */
    public record Region(double width, String prompt) {
        public Region {
            SplitRatio.requireWeight(width, "region width");
            if (prompt == null || prompt.isBlank()) {
                throw new InvalidPlanException("A region of the layout has an empty prompt; say what to draw in every region.");
            }
            prompt = prompt.strip();
        }
    }

    /** A rectangle in normalised canvas coordinates: 0 is the left/top edge, 1 the right/bottom edge. */
    public record Box(double left, double top, double right, double bottom) {
        /**
         * The rectangle on a grid of {@code width × height} cells (an image or an attention map), edges rounded to the
         * nearest cell; neighbours share edges, so the boxes of a layout tile the grid without gaps or overlaps.
         */
        public GridRect onGrid(int width, int height) {
            return new GridRect((int) Math.round(left * width), (int) Math.round(top * height),
                    (int) Math.round(right * width), (int) Math.round(bottom * height));
        }
    }

    /** Whole-cell rectangle, end-exclusive: x in [x0, x1), y in [y0, y1). */
    public record GridRect(int x0, int y0, int x1, int y1) {
        public int area() { return Math.max(0, x1 - x0) * Math.max(0, y1 - y0); }
    }

    /** A region placed on the canvas: its index in reading order (row by row, left to right). */
    public record PlacedRegion(int index, int row, int column, Box box, String prompt) {}

    public RegionLayout {
        rows = List.copyOf(rows);
        if (rows.isEmpty()) throw new InvalidPlanException("The region layout has no rows; give at least one.");
        if (rows.stream().mapToInt(r -> r.regions().size()).sum() > SplitRatio.MAX_REGIONS) {
            throw new InvalidPlanException("The region layout has more than " + SplitRatio.MAX_REGIONS + " regions; use fewer.");
        }
    }

    /**
     * Pairs a split ratio with region prompts in reading order. A different number of prompts than regions is an
     * error, never silently fixed: the caller repairs it or asks again.
     */
    public static RegionLayout of(SplitRatio ratio, List<String> prompts) {
        if (ratio.regionCount() != prompts.size()) {
            throw new RegionCountMismatchException(ratio, prompts.size());
        }
        List<Row> rows = new ArrayList<>();
        int next = 0;
        for (SplitRatio.Row r : ratio.rows()) {
            List<Region> regions = new ArrayList<>();
            for (double w : r.widths()) regions.add(new Region(w, prompts.get(next++)));
            rows.add(new Row(r.height(), regions));
        }
        return new RegionLayout(rows);
    }

    @JsonIgnore
    public SplitRatio splitRatio() {
        return new SplitRatio(rows.stream()
                .map(r -> new SplitRatio.Row(r.height(), r.regions().stream().map(Region::width).toList()))
                .toList());
    }

    @JsonIgnore
    public int regionCount() { return rows.stream().mapToInt(r -> r.regions().size()).sum(); }

    @JsonIgnore
    public List<String> prompts() {
        return rows.stream().flatMap(r -> r.regions().stream()).map(Region::prompt).toList();
    }

    /** Every region with its normalised rectangle, in reading order. */
    @JsonIgnore
    public List<PlacedRegion> placedRegions() {
        List<PlacedRegion> out = new ArrayList<>();
        double[] rowEdges = edges(rows.stream().mapToDouble(Row::height).toArray());
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            double[] colEdges = edges(row.regions().stream().mapToDouble(Region::width).toArray());
            for (int c = 0; c < row.regions().size(); c++) {
                out.add(new PlacedRegion(out.size(), r, c,
                        new Box(colEdges[c], rowEdges[r], colEdges[c + 1], rowEdges[r + 1]), row.regions().get(c).prompt()));
            }
        }
        return out;
    }

    /** Normalised row heights, top to bottom (they sum to 1). */
    @JsonIgnore
    public double[] rowFractions() { return fractions(rows.stream().mapToDouble(Row::height).toArray()); }

    /** Normalised region widths of one row, left to right (they sum to 1). */
    public double[] columnFractions(int row) {
        return fractions(rows.get(row).regions().stream().mapToDouble(Region::width).toArray());
    }

    private static double[] fractions(double[] weights) {
        double total = 0;
        for (double w : weights) total += w;
        double[] out = new double[weights.length];
        for (int i = 0; i < weights.length; i++) out[i] = weights[i] / total;
        return out;
    }

    /** Cumulative interval edges 0 … 1; the last edge is exactly 1 so rounding never leaves a sliver. */
    private static double[] edges(double[] weights) {
        double total = 0;
        for (double w : weights) total += w;
        double[] out = new double[weights.length + 1];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            out[i + 1] = sum / total;
        }
        out[weights.length] = 1.0;
        return out;
    }
}
