package dev.atelier.diffusion.scheduler;

/** How the training noise schedule's β values are laid out (diffusers' {@code beta_schedule}). */
public enum BetaSchedule {
    /** β evenly spaced from β_start to β_end. */
    LINEAR("linear"),
    /** √β evenly spaced, then squared: Stable Diffusion's schedule. */
    SCALED_LINEAR("scaled_linear"),
    /** The cosine ᾱ schedule of Nichol & Dhariwal, each β capped at 0.999. */
    SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    private final String configName;

    BetaSchedule(String configName) { this.configName = configName; }

    /** The spelling used in {@code scheduler_config.json}. */
    public String configName() { return configName; }

    static BetaSchedule fromConfigName(String name) {
        return ConfigNames.parse(values(), BetaSchedule::configName, name, "beta_schedule");
    }
}
