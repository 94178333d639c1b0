package dev.atelier.diffusion.scheduler;

/** The second-order correction of multistep DPM-Solver (diffusers' {@code solver_type}). */
public enum SolverType {
    MIDPOINT("midpoint"),
    HEUN("heun");

    private final String configName;

    SolverType(String configName) { this.configName = configName; }

    public String configName() { return configName; }

    static SolverType fromConfigName(String name) {
        return ConfigNames.parse(values(), SolverType::configName, name, "solver_type");
    }
}
