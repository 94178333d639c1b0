package dev.atelier.diffusion.scheduler;

/** How inference timesteps are picked from the training timesteps (diffusers' {@code timestep_spacing}). */
public enum TimestepSpacing {
    /** t = i·(T//N) + steps_offset, so the schedule starts below T−1. */
    LEADING("leading"),
    /** t = round(T − i·T/N) − 1, so the schedule starts at T−1. */
    TRAILING("trailing"),
    /** t evenly spaced from T−1 down to 0. */
    LINSPACE("linspace");

    private final String configName;

    TimestepSpacing(String configName) { this.configName = configName; }

    /** The spelling used in {@code scheduler_config.json}. */
    public String configName() { return configName; }

    static TimestepSpacing fromConfigName(String name) {
        return ConfigNames.parse(values(), TimestepSpacing::configName, name, "timestep_spacing");
    }
}
