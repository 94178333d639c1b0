package dev.atelier.diffusion.scheduler;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Matcher;

/**
 * The noise-schedule settings of a diffusers {@code scheduler_config.json}. Keys the file leaves out take Stable
 * Diffusion 1.5's values, except {@code timestep_spacing}: left out it is {@code null}, meaning "the scheduler's own
 * default" as in diffusers (leading for DDIM and LCM, linspace for Euler and DPM-Solver).
 *
 * @param numTrainTimesteps      T, the number of training timesteps
 * @param betaStart              β of the first training timestep
 * @param betaEnd                β of the last training timestep
 * @param betaSchedule           how β runs between the two
 * @param trainedBetas           explicit β per training timestep overriding the three above, or {@code null}
 * @param timestepSpacing        how inference timesteps are picked, or {@code null} for the scheduler's default
 * @param stepsOffset            added to every timestep with leading spacing
 * @param setAlphaToOne          whether DDIM/LCM's final step lands on ᾱ = 1 (else on ᾱ₀)
 * @param predictionType         what the model outputs
 * @param clipSample             whether the predicted x₀ is clipped (DDIM, LCM)
 * @param clipSampleRange        the clipping bound
 * @param useKarrasSigmas        whether Euler/DPM-Solver space their σ by Karras et al.'s ρ = 7 rule
 * @param originalInferenceSteps LCM's distillation schedule length the skipping-step schedule is taken from
 * @param timestepScaling        LCM's factor on t in the consistency boundary conditions
 * @param rescaleBetasZeroSnr    whether ᾱ is rescaled so the last training timestep has zero signal
 */
public record SchedulerConfig(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        double[] trainedBetas,
        TimestepSpacing timestepSpacing,
        int stepsOffset,
        boolean setAlphaToOne,
        PredictionType predictionType,
        boolean clipSample,
        double clipSampleRange,
        boolean useKarrasSigmas,
        int originalInferenceSteps,
        double timestepScaling,
        boolean rescaleBetasZeroSnr) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SchedulerConfig {
        if (numTrainTimesteps < 2) {
            throw invalid("num_train_timesteps must be at least 2, got " + numTrainTimesteps);
        }
        if (betaSchedule == null) throw invalid("beta_schedule is missing");
        if (predictionType == null) throw invalid("prediction_type is missing");
        if (trainedBetas != null) {
            if (trainedBetas.length != numTrainTimesteps) {
                throw invalid("trained_betas has " + trainedBetas.length + " values but num_train_timesteps is "
                        + numTrainTimesteps);
            }
            trainedBetas = trainedBetas.clone();
            for (double beta : trainedBetas) {
                if (!(beta > 0 && beta < 1)) throw invalid("trained_betas must lie in (0, 1), found " + beta);
            }
        } else if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) {
            throw invalid("beta_start/beta_end must satisfy 0 < beta_start <= beta_end < 1, got "
                    + betaStart + "/" + betaEnd);
        }
        if (stepsOffset < 0) throw invalid("steps_offset must not be negative, got " + stepsOffset);
        if (!(clipSampleRange > 0)) throw invalid("clip_sample_range must be positive, got " + clipSampleRange);
        if (originalInferenceSteps < 1) {
            throw invalid("original_inference_steps must be at least 1, got " + originalInferenceSteps);
        }
        if (!(timestepScaling > 0)) throw invalid("timestep_scaling must be positive, got " + timestepScaling);
    }

    /** The scheduler settings Stable Diffusion 1.5 ships with (scaled_linear 0.00085…0.012, steps_offset 1). */
    public static SchedulerConfig stableDiffusionDefaults() {
        return new SchedulerConfig(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR, null, null, 1, false,
                PredictionType.EPSILON, false, 1.0, false, 50, 10.0, false);
    }

    /** Reads a diffusers {@code scheduler_config.json}; unknown keys are ignored. */
    public static SchedulerConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new AtelierException("Scheduler config " + file + " does not exist; the model directory needs "
                    + "scheduler/scheduler_config.json (copy it from the model's diffusers repository).", e);
        } catch (IOException e) {
            throw new AtelierException("Could not read scheduler config " + file + ": " + e.getMessage()
                    + "; check the file's permissions.", e);
        }
        try {
            return parse(text);
        } catch (AtelierException e) {
            throw new AtelierException(e.getMessage().replaceFirst("^Invalid scheduler config:",
                    "Invalid scheduler config " + Matcher.quoteReplacement(file.toString()) + ":"), e);
        }
    }

    /** Parses the JSON text of a {@code scheduler_config.json}; unknown keys are ignored. */
    public static SchedulerConfig parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw invalid("it is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) throw invalid("it must be a JSON object");
        SchedulerConfig d = stableDiffusionDefaults();
        String spacing = text(root, "timestep_spacing", null);
        return new SchedulerConfig(
                integer(root, "num_train_timesteps", d.numTrainTimesteps()),
                number(root, "beta_start", d.betaStart()),
                number(root, "beta_end", d.betaEnd()),
                BetaSchedule.fromConfigName(text(root, "beta_schedule", d.betaSchedule().configName())),
                numbers(root, "trained_betas"),
                spacing == null ? null : TimestepSpacing.fromConfigName(spacing),
                integer(root, "steps_offset", d.stepsOffset()),
                bool(root, "set_alpha_to_one", d.setAlphaToOne()),
                PredictionType.fromConfigName(text(root, "prediction_type", d.predictionType().configName())),
                bool(root, "clip_sample", d.clipSample()),
                number(root, "clip_sample_range", d.clipSampleRange()),
                bool(root, "use_karras_sigmas", d.useKarrasSigmas()),
                integer(root, "original_inference_steps", d.originalInferenceSteps()),
                number(root, "timestep_scaling", d.timestepScaling()),
                bool(root, "rescale_betas_zero_snr", d.rescaleBetasZeroSnr()));
    }

    /** The spacing to use, {@code schedulerDefault} when the config does not name one. */
    public TimestepSpacing timestepSpacingOr(TimestepSpacing schedulerDefault) {
        return timestepSpacing != null ? timestepSpacing : schedulerDefault;
    }

    @Override
    public double[] trainedBetas() {
        return trainedBetas == null ? null : trainedBetas.clone();
    }

    public SchedulerConfig withTimestepSpacing(TimestepSpacing spacing) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, spacing,
                stepsOffset, setAlphaToOne, predictionType, clipSample, clipSampleRange, useKarrasSigmas,
                originalInferenceSteps, timestepScaling, rescaleBetasZeroSnr);
    }

    public SchedulerConfig withPredictionType(PredictionType type) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas,
                timestepSpacing, stepsOffset, setAlphaToOne, type, clipSample, clipSampleRange, useKarrasSigmas,
                originalInferenceSteps, timestepScaling, rescaleBetasZeroSnr);
    }

    public SchedulerConfig withKarrasSigmas(boolean karras) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas,
                timestepSpacing, stepsOffset, setAlphaToOne, predictionType, clipSample, clipSampleRange, karras,
                originalInferenceSteps, timestepScaling, rescaleBetasZeroSnr);
    }

    public SchedulerConfig withSetAlphaToOne(boolean alphaToOne) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas,
                timestepSpacing, stepsOffset, alphaToOne, predictionType, clipSample, clipSampleRange,
                useKarrasSigmas, originalInferenceSteps, timestepScaling, rescaleBetasZeroSnr);
    }

    public SchedulerConfig withStepsOffset(int offset) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas,
                timestepSpacing, offset, setAlphaToOne, predictionType, clipSample, clipSampleRange,
                useKarrasSigmas, originalInferenceSteps, timestepScaling, rescaleBetasZeroSnr);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SchedulerConfig c
                && numTrainTimesteps == c.numTrainTimesteps
                && Double.compare(betaStart, c.betaStart) == 0
                && Double.compare(betaEnd, c.betaEnd) == 0
                && betaSchedule == c.betaSchedule
                && Arrays.equals(trainedBetas, c.trainedBetas)
                && timestepSpacing == c.timestepSpacing
                && stepsOffset == c.stepsOffset
                && setAlphaToOne == c.setAlphaToOne
                && predictionType == c.predictionType
                && clipSample == c.clipSample
                && Double.compare(clipSampleRange, c.clipSampleRange) == 0
                && useKarrasSigmas == c.useKarrasSigmas
                && originalInferenceSteps == c.originalInferenceSteps
                && Double.compare(timestepScaling, c.timestepScaling) == 0
                && rescaleBetasZeroSnr == c.rescaleBetasZeroSnr;
    }

    @Override
    public int hashCode() {
        return Objects.hash(numTrainTimesteps, betaStart, betaEnd, betaSchedule,
                Arrays.hashCode(trainedBetas), timestepSpacing, stepsOffset, setAlphaToOne, predictionType,
                clipSample, clipSampleRange, useKarrasSigmas, originalInferenceSteps, timestepScaling,
                rescaleBetasZeroSnr);
    }

    @Override
    public String toString() {
        return "SchedulerConfig[T=" + numTrainTimesteps + ", beta=" + betaStart + ".." + betaEnd + " "
                + betaSchedule.configName() + (trainedBetas != null ? " (trained)" : "")
                + ", spacing=" + (timestepSpacing == null ? "default" : timestepSpacing.configName())
                + ", steps_offset=" + stepsOffset + ", set_alpha_to_one=" + setAlphaToOne
                + ", prediction=" + predictionType.configName() + ", clip_sample=" + clipSample
                + (clipSample ? "(" + clipSampleRange + ")" : "") + ", karras=" + useKarrasSigmas
                + ", lcm_original_steps=" + originalInferenceSteps + ", timestep_scaling=" + timestepScaling
                + ", zero_snr=" + rescaleBetasZeroSnr + "]";
    }

    private static AtelierException invalid(String what) {
        return new AtelierException("Invalid scheduler config: " + what
                + ". Fix scheduler/scheduler_config.json or use the one published with the model.");
    }

    private static boolean absent(JsonNode root, String key) {
        JsonNode node = root.get(key);
        return node == null || node.isNull();
    }

    private static int integer(JsonNode root, String key, int fallback) {
        if (absent(root, key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.isNumber() || node.asDouble() != Math.rint(node.asDouble())) {
            throw invalid(key + " must be a whole number, got " + node);
        }
        return node.asInt();
    }

    private static double number(JsonNode root, String key, double fallback) {
        if (absent(root, key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.isNumber()) throw invalid(key + " must be a number, got " + node);
        return node.asDouble();
    }

    private static boolean bool(JsonNode root, String key, boolean fallback) {
        if (absent(root, key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.isBoolean()) throw invalid(key + " must be true or false, got " + node);
        return node.asBoolean();
    }

    private static String text(JsonNode root, String key, String fallback) {
        if (absent(root, key)) return fallback;
        JsonNode node = root.get(key);
        if (!node.isTextual()) throw invalid(key + " must be a string, got " + node);
        return node.asText();
    }

    private static double[] numbers(JsonNode root, String key) {
        if (absent(root, key)) return null;
        JsonNode node = root.get(key);
        if (!node.isArray()) throw invalid(key + " must be an array of numbers, got " + node.getNodeType());
        double[] values = new double[node.size()];
        for (int i = 0; i < values.length; i++) {
            if (!node.get(i).isNumber()) throw invalid(key + " must hold numbers only, found " + node.get(i));
            values[i] = node.get(i).asDouble();
        }
        return values;
    }
}
