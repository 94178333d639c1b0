package dev.atelier.diffusion.scheduler;

/** Which DPM-Solver variant runs (diffusers' {@code algorithm_type}). */
public enum DpmAlgorithm {
    /** Data prediction, deterministic (DPM-Solver++, Lu et al. 2022b). */
    DPMSOLVER_PLUS_PLUS("dpmsolver++"),
    /** Data prediction with fresh noise each step (the SDE form of DPM-Solver++). */
    SDE_DPMSOLVER_PLUS_PLUS("sde-dpmsolver++"),
    /** Noise prediction, deterministic (the original DPM-Solver, Lu et al. 2022a). */
    DPMSOLVER("dpmsolver"),
    /** Noise prediction with fresh noise each step. */
    SDE_DPMSOLVER("sde-dpmsolver");

    private final String configName;

    DpmAlgorithm(String configName) { this.configName = configName; }

    public String configName() { return configName; }

    /** Whether the solver works on the predicted clean sample (the ++ variants) rather than on ε. */
    boolean dataPrediction() { return this == DPMSOLVER_PLUS_PLUS || this == SDE_DPMSOLVER_PLUS_PLUS; }

    boolean stochastic() { return this == SDE_DPMSOLVER_PLUS_PLUS || this == SDE_DPMSOLVER; }

    static DpmAlgorithm fromConfigName(String name) {
        return ConfigNames.parse(values(), DpmAlgorithm::configName, name, "algorithm_type");
    }
}
