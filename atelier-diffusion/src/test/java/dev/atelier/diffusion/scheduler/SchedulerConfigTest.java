package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SchedulerConfigTest {

    @Test
    void readsTheSd15PndmConfigAndIgnoresUnknownKeys(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("scheduler_config.json");
        Files.writeString(file, """
                {
                  "_class_name": "PNDMScheduler",
                  "_diffusers_version": "0.6.0",
                  "beta_end": 0.012,
                  "beta_schedule": "scaled_linear",
                  "beta_start": 0.00085,
                  "num_train_timesteps": 1000,
                  "set_alpha_to_one": false,
                  "skip_prk_steps": true,
                  "steps_offset": 1,
                  "trained_betas": null,
                  "clip_sample": false
                }""");
        SchedulerConfig config = SchedulerConfig.read(file);
        assertThat(config).isEqualTo(SchedulerConfig.stableDiffusionDefaults());
        assertThat(config.timestepSpacing()).isNull();
        assertThat(config.timestepSpacingOr(TimestepSpacing.LINSPACE)).isEqualTo(TimestepSpacing.LINSPACE);
    }

    @Test
    void readsEveryKnownKey() {
        SchedulerConfig config = SchedulerConfig.parse("""
                {"num_train_timesteps": 500, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
                 "timestep_spacing": "trailing", "steps_offset": 0, "set_alpha_to_one": true,
                 "prediction_type": "v_prediction", "clip_sample": true, "clip_sample_range": 2.5,
                 "use_karras_sigmas": true, "original_inference_steps": 100, "timestep_scaling": 5.0,
                 "rescale_betas_zero_snr": true, "thresholding": false}""");
        assertThat(config.numTrainTimesteps()).isEqualTo(500);
        assertThat(config.betaStart()).isEqualTo(0.0001);
        assertThat(config.betaEnd()).isEqualTo(0.02);
        assertThat(config.betaSchedule()).isEqualTo(BetaSchedule.LINEAR);
        assertThat(config.timestepSpacing()).isEqualTo(TimestepSpacing.TRAILING);
        assertThat(config.stepsOffset()).isZero();
        assertThat(config.setAlphaToOne()).isTrue();
        assertThat(config.predictionType()).isEqualTo(PredictionType.V_PREDICTION);
        assertThat(config.clipSample()).isTrue();
        assertThat(config.clipSampleRange()).isEqualTo(2.5);
        assertThat(config.useKarrasSigmas()).isTrue();
        assertThat(config.originalInferenceSteps()).isEqualTo(100);
        assertThat(config.timestepScaling()).isEqualTo(5.0);
        assertThat(config.rescaleBetasZeroSnr()).isTrue();
    }

    @Test
    void trainedBetasOverrideTheSchedule() {
        SchedulerConfig config = SchedulerConfig.parse(
                "{\"num_train_timesteps\": 3, \"trained_betas\": [0.1, 0.2, 0.5]}");
        assertThat(config.trainedBetas()).containsExactly(0.1, 0.2, 0.5);
        NoiseSchedule schedule = NoiseSchedule.of(config);
        // torch: the betas become float32, 1 − β is float32, the running product is double stored as float32
        double product = (double) (1f - 0.1f) * (1f - 0.2f);
        product = (float) product;
        assertThat(schedule.alphaCumprod(2)).isEqualTo((double) (float) (product * (1f - 0.5f)));
    }

    @Test
    void badValuesAreClearErrors() {
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"beta_schedule\": \"sigmoid\"}"))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining("sigmoid").hasMessageContaining("scaled_linear");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"prediction_type\": \"flow\"}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("v_prediction");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"timestep_spacing\": 3}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("timestep_spacing");
        assertThatThrownBy(() -> SchedulerConfig.parse("[1, 2]"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> SchedulerConfig.parse("{not json"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"num_train_timesteps\": 3, \"trained_betas\": [0.1]}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("trained_betas");
    }

    @Test
    void anInvalidFileNamesTheFileAndTheKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("scheduler_config.json");
        Files.writeString(file, "{\"steps_offset\": \"one\"}");
        assertThatThrownBy(() -> SchedulerConfig.read(file))
                .isInstanceOf(AtelierException.class)
                .hasMessageStartingWith("Invalid scheduler config " + file + ": steps_offset must be a whole number");
    }

    @Test
    void aMissingFileNamesTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("scheduler").resolve("scheduler_config.json");
        assertThatThrownBy(() -> SchedulerConfig.read(missing))
                .isInstanceOf(AtelierException.class)
                .hasMessageContaining(missing.toString());
    }
}
