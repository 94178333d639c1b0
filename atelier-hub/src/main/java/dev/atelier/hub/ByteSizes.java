package dev.atelier.hub;

import java.util.Locale;

/** Human-readable byte counts (decimal units, as the hub shows them). */
public final class ByteSizes {
    private ByteSizes() {}

    public static String format(long bytes) {
        if (bytes < 1000) return bytes + " B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    }
}
