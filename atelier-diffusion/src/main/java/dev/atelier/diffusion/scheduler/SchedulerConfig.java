package dev.atelier.diffusion.scheduler;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.atelier.core.AtelierException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;

/**
 * The settings of a diffusers {@code scheduler_config.json}, read as diffusers writes them (non-finite numbers such as
 * {@code "lambda_min_clipped": -Infinity} included). Keys the file leaves out take Stable Diffusion 1.5's values for
 * the noise schedule and diffusers' defaults for the solver options, except {@code timestep_spacing}: left out it is
 * {@code null}, meaning "the scheduler's own default" as in diffusers (leading for DDIM and LCM, linspace for Euler and
 * DPM-Solver). Options diffusers defines that Atelier does not follow are listed in {@link #unsupported()} and named
 * in one warning when the file is parsed.
 *
 * @param numTrainTimesteps        T, the number of training timesteps
 * @param betaStart                β of the first training timestep
 * @param betaEnd                  β of the last training timestep
 * @param betaSchedule             how β runs between the two
 * @param trainedBetas             explicit β per training timestep overriding the three above, or {@code null}
 * @param timestepSpacing          how inference timesteps are picked, or {@code null} for the scheduler's default
 * @param stepsOffset              added to every timestep with leading spacing
 * @param setAlphaToOne            whether DDIM/LCM's final step lands on ᾱ = 1 (else on ᾱ₀)
 * @param predictionType           what the model outputs
 * @param clipSample               whether the predicted x₀ is clipped (DDIM, LCM)
 * @param clipSampleRange          the clipping bound
 * @param useKarrasSigmas          whether Euler/DPM-Solver space their σ by Karras et al.'s ρ = 7 rule
 * @param originalInferenceSteps   LCM's distillation schedule length the skipping-step schedule is taken from
 * @param timestepScaling          LCM's factor on t in the consistency boundary conditions
 * @param rescaleBetasZeroSnr      whether ᾱ is rescaled so the last training timestep has zero signal
 * @param solverOrder              DPM-Solver's order, 1 to 3
 * @param algorithmType            DPM-Solver's variant
 * @param solverType               DPM-Solver's second-order correction
 * @param lowerOrderFinal          whether DPM-Solver lowers its order on the last steps of short (&lt; 15) schedules
 * @param eulerAtFinal             whether DPM-Solver's last step is always first order
 * @param finalSigmasType          where Euler's and DPM-Solver's last step lands
 * @param lambdaMinClipped         DPM-Solver skips training timesteps whose log-SNR λ lies below this
 * @param useLuLambdas             whether DPM-Solver spaces its steps evenly in log σ (Lu et al.)
 * @param thresholding             whether x̂₀ is dynamically thresholded (DDIM, LCM, DPM-Solver; Saharia et al.)
 * @param dynamicThresholdingRatio the quantile of |x̂₀| that sets the threshold
 * @param sampleMaxValue           the largest threshold
 * @param continuousTimesteps      Euler's {@code timestep_type: continuous}: the model is fed ¼·ln σ
 * @param sigmaMin                 Euler's lower end of the Karras schedule, NaN for the training schedule's
 * @param sigmaMax                 Euler's upper end of the Karras schedule, NaN for the training schedule's
 * @param className                the file's {@code _class_name}, or {@code null}
 * @param unsupported              the options Atelier does not follow, each with what it does instead
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
        boolean rescaleBetasZeroSnr,
        int solverOrder,
        DpmAlgorithm algorithmType,
        SolverType solverType,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        FinalSigmas finalSigmasType,
        double lambdaMinClipped,
        boolean useLuLambdas,
        boolean thresholding,
        double dynamicThresholdingRatio,
        double sampleMaxValue,
        boolean continuousTimesteps,
        double sigmaMin,
        double sigmaMax,
        String className,
        List<String> unsupported) {

    private static final Logger log = LoggerFactory.getLogger(SchedulerConfig.class);
    /** The longest training schedule accepted (diffusion models use 1000). */
    public static final int MAX_TRAIN_TIMESTEPS = 100_000;
    /** diffusers saves configs with Python's json module, which writes Infinity, -Infinity and NaN bare. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    public SchedulerConfig {
        if (numTrainTimesteps < 2) {
            throw invalid("num_train_timesteps must be at least 2, got " + numTrainTimesteps);
        }
        // models train with 1000; the schedule holds several arrays of this length, so a huge T exhausts memory
        if (numTrainTimesteps > MAX_TRAIN_TIMESTEPS) {
            throw invalid("num_train_timesteps must be at most " + MAX_TRAIN_TIMESTEPS + ", got " + numTrainTimesteps);
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
        if (stepsOffset >= numTrainTimesteps) {
            throw invalid("steps_offset must be below num_train_timesteps (" + numTrainTimesteps + "), got " + stepsOffset);
        }
        if (!(clipSampleRange > 0) || Double.isInfinite(clipSampleRange)) {
            throw invalid("clip_sample_range must be a positive number, got " + clipSampleRange);
        }
        if (originalInferenceSteps < 1) {
            throw invalid("original_inference_steps must be at least 1, got " + originalInferenceSteps);
        }
        if (!(timestepScaling > 0) || Double.isInfinite(timestepScaling)) {
            throw invalid("timestep_scaling must be a positive number, got " + timestepScaling);
        }
        if (solverOrder < 1 || solverOrder > 3) throw invalid("solver_order must be 1, 2 or 3, got " + solverOrder);
        if (algorithmType == null) throw invalid("algorithm_type is missing");
        if (solverType == null) throw invalid("solver_type is missing");
        if (finalSigmasType == null) throw invalid("final_sigmas_type is missing");
        if (!algorithmType.dataPrediction() && finalSigmasType == FinalSigmas.ZERO) {
            throw invalid("final_sigmas_type 'zero' needs algorithm_type dpmsolver++ or sde-dpmsolver++ (as in "
                    + "diffusers); use final_sigmas_type 'sigma_min' with " + algorithmType.configName());
        }
        if (Double.isNaN(lambdaMinClipped)) throw invalid("lambda_min_clipped must be a number or -Infinity, got NaN");
        if (!(dynamicThresholdingRatio >= 0 && dynamicThresholdingRatio <= 1)) {
            throw invalid("dynamic_thresholding_ratio must lie in [0, 1], got " + dynamicThresholdingRatio);
        }
        if (!(sampleMaxValue > 0)) throw invalid("sample_max_value must be positive, got " + sampleMaxValue);
        if (!Double.isNaN(sigmaMin) && !(sigmaMin > 0 && sigmaMin < Double.POSITIVE_INFINITY)) {
            throw invalid("sigma_min must be a positive number, got " + sigmaMin);
        }
        if (!Double.isNaN(sigmaMax) && !(sigmaMax > 0 && sigmaMax < Double.POSITIVE_INFINITY)) {
            throw invalid("sigma_max must be a positive number, got " + sigmaMax);
        }
        unsupported = unsupported == null ? List.of() : List.copyOf(unsupported);
    }

    /** The scheduler settings Stable Diffusion 1.5 ships with (scaled_linear 0.00085…0.012, steps_offset 1). */
    public static SchedulerConfig stableDiffusionDefaults() {
        return new Builder().build();
    }

    /** Reads a diffusers {@code scheduler_config.json}; keys no scheduler here defines are ignored. */
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

    /**
     * Parses the JSON text of a {@code scheduler_config.json}; keys no scheduler here defines are ignored, options
     * Atelier does not follow are named in one warning.
     */
    public static SchedulerConfig parse(String json) {
        return parse(json, log::warn);
    }

    /** {@link #parse(String)} with the warning about options Atelier does not follow handed to {@code warnings}. */
    static SchedulerConfig parse(String json, Consumer<String> warnings) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw invalid("it is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) throw invalid("it must be a JSON object");
        SchedulerConfig d = stableDiffusionDefaults();
        String spacing = text(root, "timestep_spacing", null);
        List<String> unsupported = new ArrayList<>();
        if (bool(root, "use_exponential_sigmas", false)) {
            unsupported.add("use_exponential_sigmas (Atelier spaces σ as the training schedule, or by Karras' rule"
                    + " where use_karras_sigmas or the scheduler asks)");
        }
        if (bool(root, "use_beta_sigmas", false)) {
            unsupported.add("use_beta_sigmas (Atelier spaces σ as the training schedule, or by Karras' rule where"
                    + " use_karras_sigmas or the scheduler asks)");
        }
        if (bool(root, "use_flow_sigmas", false) || bool(root, "use_dynamic_shifting", false)) {
            unsupported.add("use_flow_sigmas/use_dynamic_shifting (Atelier samples the variance-preserving schedule"
                    + " from the betas; flow_shift and time_shift_type are not used)");
        }
        String interpolation = text(root, "interpolation_type", "linear");
        if (!"linear".equals(interpolation)) {
            unsupported.add("interpolation_type '" + interpolation + "' (Atelier interpolates σ linearly between"
                    + " training timesteps)");
        }
        String varianceType = text(root, "variance_type", null);
        if (varianceType != null) {
            unsupported.add("variance_type '" + varianceType + "' (Atelier reads the whole model output as the"
                    + " prediction and does not split off a learned variance)");
        }
        String algorithm = text(root, "algorithm_type", d.algorithmType().configName());
        if ("deis".equals(algorithm)) algorithm = d.algorithmType().configName(); // diffusers maps it the same way
        String solver = text(root, "solver_type", d.solverType().configName());
        if (List.of("logrho", "bh1", "bh2").contains(solver)) solver = d.solverType().configName(); // as diffusers
        String timestepType = text(root, "timestep_type", "discrete");
        if (!timestepType.equals("discrete") && !timestepType.equals("continuous")) {
            throw invalid("timestep_type must be 'discrete' or 'continuous', got '" + timestepType + "'");
        }
        Builder b = new Builder();
        b.numTrainTimesteps = integer(root, "num_train_timesteps", d.numTrainTimesteps());
        b.betaStart = number(root, "beta_start", d.betaStart());
        b.betaEnd = number(root, "beta_end", d.betaEnd());
        b.betaSchedule = BetaSchedule.fromConfigName(text(root, "beta_schedule", d.betaSchedule().configName()));
        b.trainedBetas = numbers(root, "trained_betas");
        b.timestepSpacing = spacing == null ? null : TimestepSpacing.fromConfigName(spacing);
        b.stepsOffset = integer(root, "steps_offset", d.stepsOffset());
        b.setAlphaToOne = bool(root, "set_alpha_to_one", d.setAlphaToOne());
        b.predictionType = PredictionType.fromConfigName(text(root, "prediction_type",
                d.predictionType().configName()));
        b.clipSample = bool(root, "clip_sample", d.clipSample());
        b.clipSampleRange = number(root, "clip_sample_range", d.clipSampleRange());
        b.useKarrasSigmas = bool(root, "use_karras_sigmas", d.useKarrasSigmas());
        b.originalInferenceSteps = integer(root, "original_inference_steps", d.originalInferenceSteps());
        b.timestepScaling = number(root, "timestep_scaling", d.timestepScaling());
        b.rescaleBetasZeroSnr = bool(root, "rescale_betas_zero_snr", d.rescaleBetasZeroSnr());
        b.solverOrder = integer(root, "solver_order", d.solverOrder());
        b.algorithmType = DpmAlgorithm.fromConfigName(algorithm);
        b.solverType = SolverType.fromConfigName(solver);
        b.lowerOrderFinal = bool(root, "lower_order_final", d.lowerOrderFinal());
        b.eulerAtFinal = bool(root, "euler_at_final", d.eulerAtFinal());
        b.finalSigmasType = FinalSigmas.fromConfigName(text(root, "final_sigmas_type",
                d.finalSigmasType().configName()));
        b.lambdaMinClipped = number(root, "lambda_min_clipped", d.lambdaMinClipped());
        b.useLuLambdas = bool(root, "use_lu_lambdas", d.useLuLambdas());
        b.thresholding = bool(root, "thresholding", d.thresholding());
        b.dynamicThresholdingRatio = number(root, "dynamic_thresholding_ratio", d.dynamicThresholdingRatio());
        b.sampleMaxValue = number(root, "sample_max_value", d.sampleMaxValue());
        b.continuousTimesteps = timestepType.equals("continuous");
        b.sigmaMin = number(root, "sigma_min", Double.NaN);
        b.sigmaMax = number(root, "sigma_max", Double.NaN);
        b.className = text(root, "_class_name", null);
        b.unsupported = unsupported;
        SchedulerConfig config = b.build();
        if (!unsupported.isEmpty()) {
            warnings.accept("The scheduler config asks for options Atelier does not have: "
                    + String.join("; ", unsupported) + ".");
        }
        return config;
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
        Builder b = toBuilder();
        b.timestepSpacing = spacing;
        return b.build();
    }

    public SchedulerConfig withPredictionType(PredictionType type) {
        Builder b = toBuilder();
        b.predictionType = type;
        return b.build();
    }

    public SchedulerConfig withKarrasSigmas(boolean karras) {
        Builder b = toBuilder();
        b.useKarrasSigmas = karras;
        return b.build();
    }

    public SchedulerConfig withSetAlphaToOne(boolean alphaToOne) {
        Builder b = toBuilder();
        b.setAlphaToOne = alphaToOne;
        return b.build();
    }

    public SchedulerConfig withStepsOffset(int offset) {
        Builder b = toBuilder();
        b.stepsOffset = offset;
        return b.build();
    }

    public SchedulerConfig withAlgorithmType(DpmAlgorithm algorithm) {
        Builder b = toBuilder();
        b.algorithmType = algorithm;
        return b.build();
    }

    Builder toBuilder() {
        Builder b = new Builder();
        b.numTrainTimesteps = numTrainTimesteps;
        b.betaStart = betaStart;
        b.betaEnd = betaEnd;
        b.betaSchedule = betaSchedule;
        b.trainedBetas = trainedBetas;
        b.timestepSpacing = timestepSpacing;
        b.stepsOffset = stepsOffset;
        b.setAlphaToOne = setAlphaToOne;
        b.predictionType = predictionType;
        b.clipSample = clipSample;
        b.clipSampleRange = clipSampleRange;
        b.useKarrasSigmas = useKarrasSigmas;
        b.originalInferenceSteps = originalInferenceSteps;
        b.timestepScaling = timestepScaling;
        b.rescaleBetasZeroSnr = rescaleBetasZeroSnr;
        b.solverOrder = solverOrder;
        b.algorithmType = algorithmType;
        b.solverType = solverType;
        b.lowerOrderFinal = lowerOrderFinal;
        b.eulerAtFinal = eulerAtFinal;
        b.finalSigmasType = finalSigmasType;
        b.lambdaMinClipped = lambdaMinClipped;
        b.useLuLambdas = useLuLambdas;
        b.thresholding = thresholding;
        b.dynamicThresholdingRatio = dynamicThresholdingRatio;
        b.sampleMaxValue = sampleMaxValue;
        b.continuousTimesteps = continuousTimesteps;
        b.sigmaMin = sigmaMin;
        b.sigmaMax = sigmaMax;
        b.className = className;
        b.unsupported = unsupported;
        return b;
    }

    /** Every field with its default: Stable Diffusion 1.5's schedule and diffusers' solver defaults. */
    static final class Builder {
        int numTrainTimesteps = 1000;
        double betaStart = 0.00085;
        double betaEnd = 0.012;
        BetaSchedule betaSchedule = BetaSchedule.SCALED_LINEAR;
        double[] trainedBetas;
        TimestepSpacing timestepSpacing;
        int stepsOffset = 1;
        boolean setAlphaToOne;
        PredictionType predictionType = PredictionType.EPSILON;
        boolean clipSample;
        double clipSampleRange = 1.0;
        boolean useKarrasSigmas;
        int originalInferenceSteps = 50;
        double timestepScaling = 10.0;
        boolean rescaleBetasZeroSnr;
        int solverOrder = 2;
        DpmAlgorithm algorithmType = DpmAlgorithm.DPMSOLVER_PLUS_PLUS;
        SolverType solverType = SolverType.MIDPOINT;
        boolean lowerOrderFinal = true;
        boolean eulerAtFinal;
        FinalSigmas finalSigmasType = FinalSigmas.ZERO;
        double lambdaMinClipped = Double.NEGATIVE_INFINITY;
        boolean useLuLambdas;
        boolean thresholding;
        double dynamicThresholdingRatio = 0.995;
        double sampleMaxValue = 1.0;
        boolean continuousTimesteps;
        double sigmaMin = Double.NaN;
        double sigmaMax = Double.NaN;
        String className;
        List<String> unsupported = List.of();

        SchedulerConfig build() {
            return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas,
                    timestepSpacing, stepsOffset, setAlphaToOne, predictionType, clipSample, clipSampleRange,
                    useKarrasSigmas, originalInferenceSteps, timestepScaling, rescaleBetasZeroSnr, solverOrder,
                    algorithmType, solverType, lowerOrderFinal, eulerAtFinal, finalSigmasType, lambdaMinClipped,
                    useLuLambdas, thresholding, dynamicThresholdingRatio, sampleMaxValue, continuousTimesteps,
                    sigmaMin, sigmaMax, className, unsupported);
        }
    }

    /** Equality over the sampling settings; the class name and the warning list do not change sampling. */
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
                && rescaleBetasZeroSnr == c.rescaleBetasZeroSnr
                && solverOrder == c.solverOrder
                && algorithmType == c.algorithmType
                && solverType == c.solverType
                && lowerOrderFinal == c.lowerOrderFinal
                && eulerAtFinal == c.eulerAtFinal
                && finalSigmasType == c.finalSigmasType
                && Double.compare(lambdaMinClipped, c.lambdaMinClipped) == 0
                && useLuLambdas == c.useLuLambdas
                && thresholding == c.thresholding
                && Double.compare(dynamicThresholdingRatio, c.dynamicThresholdingRatio) == 0
                && Double.compare(sampleMaxValue, c.sampleMaxValue) == 0
                && continuousTimesteps == c.continuousTimesteps
                && Double.compare(sigmaMin, c.sigmaMin) == 0
                && Double.compare(sigmaMax, c.sigmaMax) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(numTrainTimesteps, betaStart, betaEnd, betaSchedule,
                Arrays.hashCode(trainedBetas), timestepSpacing, stepsOffset, setAlphaToOne, predictionType,
                clipSample, clipSampleRange, useKarrasSigmas, originalInferenceSteps, timestepScaling,
                rescaleBetasZeroSnr, solverOrder, algorithmType, solverType, lowerOrderFinal, eulerAtFinal,
                finalSigmasType, lambdaMinClipped, useLuLambdas, thresholding, dynamicThresholdingRatio,
                sampleMaxValue, continuousTimesteps, sigmaMin, sigmaMax);
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
                + ", zero_snr=" + rescaleBetasZeroSnr + ", dpm=" + algorithmType.configName() + "/order "
                + solverOrder + "/" + solverType.configName() + ", final_sigmas=" + finalSigmasType.configName()
                + ", lower_order_final=" + lowerOrderFinal + ", lu=" + useLuLambdas
                + ", thresholding=" + thresholding + "]";
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
        // a value past int's range must not wrap around silently
        if (!node.canConvertToInt()) throw invalid(key + " is too large, got " + node);
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
