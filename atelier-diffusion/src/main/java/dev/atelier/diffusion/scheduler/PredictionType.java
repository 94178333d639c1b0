package dev.atelier.diffusion.scheduler;

/** What the denoising model outputs (diffusers' {@code prediction_type}). */
public enum PredictionType {
    /** The noise ε that was added (SD 1.x, SDXL). */
    EPSILON("epsilon"),
    /** The velocity v = √ᾱ ε − √(1−ᾱ) x₀ (SD 2.x 768 px). */
    V_PREDICTION("v_prediction"),
    /** The clean sample x₀ itself. */
    SAMPLE("sample");

    private final String configName;

    PredictionType(String configName) { this.configName = configName; }

    /** The spelling used in {@code scheduler_config.json}. */
    public String configName() { return configName; }

    static PredictionType fromConfigName(String name) {
        return ConfigNames.parse(values(), PredictionType::configName, name, "prediction_type");
    }
}
