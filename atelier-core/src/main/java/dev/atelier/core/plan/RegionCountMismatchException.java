package dev.atelier.core.plan;

import dev.atelier.core.AtelierException;

/** The split ratio and the region prompts disagree in number; carries both counts so a planner can ask for a fix. */
public final class RegionCountMismatchException extends AtelierException {
    private final int regions;
    private final int prompts;

    public RegionCountMismatchException(SplitRatio ratio, int prompts) {
        super("The split ratio \"" + ratio + "\" has " + ratio.regionCount() + " regions but " + prompts
                + " region prompts were given; write exactly one prompt per region.");
        this.regions = ratio.regionCount();
        this.prompts = prompts;
    }

    public int regions() { return regions; }
    public int prompts() { return prompts; }
}
