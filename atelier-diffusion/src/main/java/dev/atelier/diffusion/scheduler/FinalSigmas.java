package dev.atelier.diffusion.scheduler;

/** Where the last step of a σ schedule lands (diffusers' {@code final_sigmas_type}). */
public enum FinalSigmas {
    /** σ = 0: the last step returns the clean sample. */
    ZERO("zero"),
    /** σ of training timestep 0: the last step leaves the training schedule's smallest noise. */
    SIGMA_MIN("sigma_min");

    private final String configName;

    FinalSigmas(String configName) { this.configName = configName; }

    public String configName() { return configName; }

    static FinalSigmas fromConfigName(String name) {
        return ConfigNames.parse(values(), FinalSigmas::configName, name, "final_sigmas_type");
    }
}
