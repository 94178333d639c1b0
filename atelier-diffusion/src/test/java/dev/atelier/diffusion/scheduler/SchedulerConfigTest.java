package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    @Test
    void readsAConfigAsDiffusersSavesItWithMinusInfinity(@TempDir Path dir) throws IOException {
        // diffusers writes configs with Python's json module: non-finite floats come out as bare tokens, as in the
        // scheduler_config.json of public DPM-Solver models
        Path file = dir.resolve("scheduler_config.json");
        Files.writeString(file, """
                {"_class_name": "DPMSolverMultistepScheduler", "_diffusers_version": "0.21.0",
                 "algorithm_type": "sde-dpmsolver++", "beta_end": 0.012, "beta_schedule": "scaled_linear",
                 "beta_start": 0.00085, "dynamic_thresholding_ratio": 0.995, "euler_at_final": false,
                 "final_sigmas_type": "sigma_min", "lambda_min_clipped": -Infinity, "lower_order_final": true,
                 "num_train_timesteps": 1000, "prediction_type": "epsilon", "sample_max_value": 1.0,
                 "solver_order": 3, "solver_type": "heun", "steps_offset": 1, "thresholding": false,
                 "timestep_spacing": "leading", "trained_betas": null, "use_karras_sigmas": true,
                 "use_lu_lambdas": false, "variance_type": null}""");
        SchedulerConfig config = SchedulerConfig.read(file);
        assertThat(config.lambdaMinClipped()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(config.algorithmType()).isEqualTo(DpmAlgorithm.SDE_DPMSOLVER_PLUS_PLUS);
        assertThat(config.solverOrder()).isEqualTo(3);
        assertThat(config.solverType()).isEqualTo(SolverType.HEUN);
        assertThat(config.finalSigmasType()).isEqualTo(FinalSigmas.SIGMA_MIN);
        assertThat(config.lowerOrderFinal()).isTrue();
        assertThat(config.useKarrasSigmas()).isTrue();
        assertThat(config.className()).isEqualTo("DPMSolverMultistepScheduler");
        assertThat(config.unsupported()).isEmpty();
        assertThat(Schedulers.defaultKind(config)).isEqualTo(SchedulerKind.DPMPP_2M_KARRAS);
        // and it samples: 1000 steps, as many as the training schedule has
        Scheduler scheduler = Schedulers.create(Schedulers.defaultKind(config), config);
        scheduler.setTimesteps(1000);
        assertThat(scheduler.timesteps()).hasSize(1000);
    }

    @Test
    void aFiniteLambdaMinClippedDropsTheNoisiestTimesteps() {
        SchedulerConfig clipped = SchedulerConfig.parse("{\"lambda_min_clipped\": -5.1}");
        Scheduler scheduler = Schedulers.create(SchedulerKind.DPMPP_2M, clipped);
        scheduler.setTimesteps(10);
        // λ = log √ᾱ − log √(1 − ᾱ) falls below −5.1 only where ᾱ < 1/(1 + e^{10.2}) ≈ 3.7e−5, which SD's schedule
        // never reaches; a stronger clip removes the top of the schedule
        assertThat(scheduler.timesteps()[0]).isEqualTo(999);
        SchedulerConfig strong = SchedulerConfig.parse("{\"lambda_min_clipped\": -2.5}");
        Scheduler clippedScheduler = Schedulers.create(SchedulerKind.DPMPP_2M, strong);
        clippedScheduler.setTimesteps(10);
        double[] alphaBar = SchedulerTestSupport.sdAlphaBar();
        int kept = 0;
        for (double a : alphaBar) if (0.5 * Math.log(a / (1 - a)) >= -2.5) kept++;
        assertThat(clippedScheduler.timesteps()[0]).isEqualTo(Math.rint(kept - 1.0));
    }

    @Test
    void optionsAtelierLacksAreNamedInOneWarning() {
        List<String> warnings = new ArrayList<>();
        SchedulerConfig config = SchedulerConfig.parse("""
                {"use_exponential_sigmas": true, "interpolation_type": "log_linear", "variance_type": "learned_range",
                 "use_beta_sigmas": false}""", warnings::add);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.getFirst()).contains("use_exponential_sigmas", "interpolation_type 'log_linear'",
                "variance_type 'learned_range'", "Atelier spaces σ", "interpolates σ linearly").doesNotContain("beta_sigmas");
        assertThat(config.unsupported()).hasSize(3);
        List<String> none = new ArrayList<>();
        SchedulerConfig.parse("{\"use_exponential_sigmas\": false, \"interpolation_type\": \"linear\"}", none::add);
        assertThat(none).isEmpty();
    }

    @Test
    void anUnknownSchedulerClassFallsBackWithAWarningNamingTheSamplerUsed() {
        List<String> warnings = new ArrayList<>();
        SchedulerConfig pndm = SchedulerConfig.parse("{\"_class_name\": \"PNDMScheduler\"}");
        assertThat(Schedulers.defaultKind(pndm, warnings::add)).isEqualTo(SchedulerKind.DPMPP_2M_KARRAS);
        assertThat(warnings).singleElement().asString().contains("PNDMScheduler", "dpmpp-2m-karras");
        warnings.clear();
        SchedulerConfig euler = SchedulerConfig.parse("{\"_class_name\": \"EulerAncestralDiscreteScheduler\"}");
        assertThat(Schedulers.defaultKind(euler, warnings::add)).isEqualTo(SchedulerKind.EULER_ANCESTRAL);
        assertThat(warnings).isEmpty();
    }

    @Test
    void wholeNumbersPastIntRangeAreAnErrorNotAWrapAround() {
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"num_train_timesteps\": 4294968296}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("num_train_timesteps is too large");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"steps_offset\": 1e12}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("steps_offset is too large");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"solver_order\": Infinity}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("solver_order");
    }

    @Test
    void nonFiniteValuesWhereOnlyNumbersMakeSenseAreClearErrors() {
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"beta_start\": NaN}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("beta_start");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"timestep_scaling\": Infinity}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("timestep_scaling");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"solver_order\": 4}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("solver_order must be 1, 2 or 3");
        assertThatThrownBy(() -> SchedulerConfig.parse(
                "{\"algorithm_type\": \"dpmsolver\", \"final_sigmas_type\": \"zero\"}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("sigma_min");
    }
}
