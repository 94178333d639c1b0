package dev.atelier.core.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * RPG's split ratio: how the canvas is cut into rows (top to bottom) and each row into regions (left to right).
 *
 * <pre>
 * ratio := row (';' row)*      with ';' present: rows, each "height,width,width,…"
 * row   := h (',' w)*          a row with only a height is one full-width region
 * no ';'                       ONE row and every number is a column width ("1,1,1" = three columns)
 * </pre>
 * Weights are relative: they are normalised per list. Spaces around numbers are allowed.
 */
public record SplitRatio(List<Row> rows) {

    /** The most regions a layout may have; more is never a sensible picture and would explode the prompt batch. */
    public static final int MAX_REGIONS = 64;

    /** One row: its height weight and the width weights of its regions, left to right. */
    public record Row(double height, List<Double> widths) {
        public Row {
            requireWeight(height, "row height");
            widths = List.copyOf(widths);
            if (widths.isEmpty()) throw new InvalidPlanException("A row of the split ratio has no regions; give at least one width.");
            for (double w : widths) requireWeight(w, "region width");
        }
    }

    public SplitRatio {
        rows = List.copyOf(rows);
        if (rows.isEmpty()) throw new InvalidPlanException("The split ratio has no rows; write for example \"1,1\" for two columns.");
        int cells = rows.stream().mapToInt(r -> r.widths().size()).sum();
        if (cells > MAX_REGIONS) {
            throw new InvalidPlanException("The split ratio has " + cells + " regions; at most " + MAX_REGIONS + " are allowed.");
        }
    }

    /** A single full-canvas region. */
    public static SplitRatio single() { return new SplitRatio(List.of(new Row(1, List.of(1.0)))); }

    /** Parses the grammar above; throws {@link InvalidPlanException} naming the bad part. */
    public static SplitRatio parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidPlanException("The split ratio is empty; write for example \"1,1\" (two columns) or \"1;1\" (two rows).");
        }
        String ratio = text.strip();
        List<Row> rows = new ArrayList<>();
        if (ratio.indexOf(';') < 0) {
            rows.add(new Row(1, numbers(ratio, text)));
        } else {
            for (String rowText : ratio.split(";", -1)) {
                List<Double> numbers = numbers(rowText, text);
                List<Double> widths = numbers.size() == 1 ? List.of(1.0) : numbers.subList(1, numbers.size());
                rows.add(new Row(numbers.getFirst(), widths));
            }
        }
        return new SplitRatio(rows);
    }

    public int regionCount() { return rows.stream().mapToInt(r -> r.widths().size()).sum(); }

    /** The canonical text form, parseable again: "1,1,1" for one row, "h,w,w;h,w" for several. */
    @Override
    public String toString() {
        if (rows.size() == 1) return join(rows.getFirst().widths());
        StringBuilder sb = new StringBuilder();
        for (Row row : rows) {
            if (!sb.isEmpty()) sb.append(';');
            sb.append(format(row.height()));
            if (row.widths().size() > 1) sb.append(',').append(join(row.widths()));
        }
        return sb.toString();
    }

    private static List<Double> numbers(String piece, String whole) {
        List<Double> out = new ArrayList<>();
        for (String token : piece.split(",", -1)) {
            String t = token.strip();
            if (t.isEmpty()) {
                throw new InvalidPlanException("The split ratio \"" + whole.strip() + "\" has an empty number; "
                        + "separate numbers with ',' and rows with ';', for example \"1,1;1,2,1\".");
            }
            double value;
            try {
                value = Double.parseDouble(t);
            } catch (NumberFormatException e) {
                throw new InvalidPlanException("The split ratio \"" + whole.strip() + "\" contains \"" + t
                        + "\", which is not a number; use only numbers, ',' and ';'.");
            }
            if (!Double.isFinite(value) || value <= 0 || value > MAX_WEIGHT) {
                throw new InvalidPlanException("The split ratio \"" + whole.strip() + "\" contains " + t
                        + "; every height and width must be a positive relative weight up to " + (long) MAX_WEIGHT + ".");
            }
            out.add(value);
        }
        return out;
    }

    /** Weights are relative; a cap keeps sums finite and flags numbers that are clearly not weights. */
    public static final double MAX_WEIGHT = 10_000;

    static void requireWeight(double w, String what) {
        if (!Double.isFinite(w) || w <= 0 || w > MAX_WEIGHT) {
            throw new InvalidPlanException("A " + what + " of " + w + " is not allowed; use a positive relative weight up to "
                    + (long) MAX_WEIGHT + ", such as 1 or 2.");
        }
    }

    private static String join(List<Double> values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            if (!sb.isEmpty()) sb.append(',');
            sb.append(format(v));
        }
        return sb.toString();
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
