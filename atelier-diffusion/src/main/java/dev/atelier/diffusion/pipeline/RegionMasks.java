package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.RegionLayout;
import java.util.List;

/**
 * A layout's regions as hard masks on a grid (the latent): every cell belongs to exactly one region. Rectangles come
 * from {@link RegionLayout.Box#onGrid}, whose shared edges round alike, so the regions tile the grid.
 */
public final class RegionMasks {
    private final int width;
    private final int height;
    private final int regions;
    private final int[] regionOf;

    private RegionMasks(int width, int height, int regions, int[] regionOf) {
        this.width = width;
        this.height = height;
        this.regions = regions;
        this.regionOf = regionOf;
    }

    /**
     * The masks of {@code layout} on a {@code width × height} grid.
     *
     * @throws AtelierException when a region is too thin to cover a single cell at this size
     */
    public static RegionMasks of(RegionLayout layout, int width, int height) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("grid " + width + "x" + height);
        List<RegionLayout.PlacedRegion> placed = layout.placedRegions();
        int[] regionOf = new int[width * height];
        java.util.Arrays.fill(regionOf, -1);
        for (RegionLayout.PlacedRegion region : placed) {
            RegionLayout.GridRect rect = region.box().onGrid(width, height);
            if (rect.area() == 0) {
                throw new AtelierException("region " + (region.index() + 1) + " of the layout \"" + layout.splitRatio()
                        + "\" (\"" + region.prompt() + "\") is too thin to cover one latent pixel of " + width + "x" + height
                        + "; give it a larger weight or render a larger image");
            }
            for (int y = rect.y0(); y < rect.y1(); y++) {
                for (int x = rect.x0(); x < rect.x1(); x++) regionOf[y * width + x] = region.index();
            }
        }
        for (int i = 0; i < regionOf.length; i++) {
            if (regionOf[i] < 0) throw new IllegalStateException("layout leaves cell " + i + " uncovered");
        }
        return new RegionMasks(width, height, placed.size(), regionOf);
    }

    public int width() { return width; }

    public int height() { return height; }

    public int regionCount() { return regions; }

    /** The region (reading order) that owns cell (x, y). */
    public int regionAt(int x, int y) { return regionOf[y * width + x]; }

    /** Region {@code r}'s mask, row-major: 1 inside, 0 outside. */
    public float[] mask(int r) {
        float[] m = new float[regionOf.length];
        for (int i = 0; i < m.length; i++) m[i] = regionOf[i] == r ? 1 : 0;
        return m;
    }

    /** The owning region of every cell, row-major. */
    int[] cells() { return regionOf; }
}
