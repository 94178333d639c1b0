package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;

/**
 * Multistep DPM-Solver as diffusers' {@code DPMSolverMultistepScheduler} has it (Lu et al. 2022): orders 1–3,
 * the data-prediction variants DPM-Solver++ and its SDE form, the noise-prediction DPM-Solver, midpoint or Heun
 * corrections, {@code final_sigmas_type} zero or sigma_min, {@code lower_order_final}, {@code euler_at_final},
 * Karras or Lu (even in log σ) step spacing, {@code lambda_min_clipped} and dynamic thresholding. Samples are
 * variance-preserving, x = α·x₀ + σ_vp·ε with α = 1/√(σ²+1) and σ_vp = σ·α; steps move in λ = log α − log σ_vp.
 * The order climbs from 1 with the number of steps taken since {@link #setTimesteps}, so an img2img start is first
 * order as in diffusers.
 */
final class DpmSolverMultistepScheduler extends DiscreteScheduler {
    private final boolean karras;
    /** σ per step plus the final σ (0 or σ_min), float32 values; null until {@link #setTimesteps}. */
    private double[] sigmas;
    /** The converted model outputs of the last steps, newest last (diffusers' model_outputs). */
    private float[][] history;
    private int lowerOrderNums;

    DpmSolverMultistepScheduler(SchedulerConfig config, boolean karras) {
        super(config);
        this.karras = karras;
        if (config.algorithmType() == DpmAlgorithm.SDE_DPMSOLVER && config.solverOrder() == 3) {
            throw new AtelierException("algorithm_type sde-dpmsolver has no third-order solver (nor in diffusers); "
                    + "set solver_order to 1 or 2 in scheduler_config.json.");
        }
    }

    @Override
    String name() { return karras ? "DPM++ 2M Karras" : "DPM++ 2M"; }

    @Override
    public void setTimesteps(int steps) {
        int trainSteps = schedule.trainSteps();
        ScheduleMath.requireSteps(steps, trainSteps, name());
        boolean zeroSnr = config.rescaleBetasZeroSnr();
        double[] alphaBar = schedule.alphasCumprodForSigmas(zeroSnr);
        // training timesteps whose λ lies below lambda_min_clipped are never visited
        int clipped = 0;
        for (double a : alphaBar) {
            float alpha = (float) Math.sqrt((float) a);
            float sigmaVp = (float) Math.sqrt(1f - (float) a);
            float lambda = (float) Math.log(alpha) - (float) Math.log(sigmaVp);
            if (lambda < config.lambdaMinClipped()) clipped++;
        }
        int last = trainSteps - clipped;
        double[] candidate = new double[steps];
        switch (config.timestepSpacingOr(TimestepSpacing.LINSPACE)) {
            // linspace and leading lay out steps + 1 points and drop the one at 0
            case LINSPACE -> {
                double[] ascending = ScheduleMath.linspace(0, last - 1, steps + 1);
                for (int i = 0; i < steps; i++) candidate[i] = Math.rint(ascending[steps - i]);
            }
            case LEADING -> {
                int ratio = last / (steps + 1);
                for (int i = 0; i < steps; i++) candidate[i] = (double) (steps - i) * ratio + config.stepsOffset();
            }
            case TRAILING -> {
                double ratio = (double) trainSteps / steps;
                int count = (int) Math.ceil(last / ratio);
                candidate = new double[count];
                for (int i = 0; i < count; i++) candidate[i] = Math.rint(last - i * ratio) - 1;
            }
        }
        steps = candidate.length;
        requireWithinTraining(candidate, steps);

        double[] trainingSigmas = schedule.trainingSigmas(zeroSnr);
        double[] logSigmas = ScheduleMath.float32Logs(trainingSigmas);
        boolean roundTimesteps = config.betaSchedule() != BetaSchedule.SQUAREDCOS_CAP_V2;
        double[] stepSigmas = new double[steps];
        if (karras || config.useLuLambdas()) {
            if (karras) {
                // unlike Euler, DPM-Solver spans the whole training range of σ
                stepSigmas = ScheduleMath.karrasSigmas(trainingSigmas[0], trainingSigmas[trainSteps - 1], steps);
            } else {
                double[] logs = ScheduleMath.linspace(0, 1, steps);
                double high = logSigmas[trainSteps - 1];
                double low = logSigmas[0];
                for (int i = 0; i < steps; i++) stepSigmas[i] = Math.exp(high + logs[i] * (low - high));
            }
            for (int i = 0; i < steps; i++) {
                double t = ScheduleMath.sigmaToTimestep(stepSigmas[i], logSigmas);
                candidate[i] = roundTimesteps ? Math.rint(t) : t;
            }
        } else {
            for (int i = 0; i < steps; i++) stepSigmas[i] = ScheduleMath.interpolate(candidate[i], trainingSigmas);
        }
        sigmas = new double[steps + 1];
        for (int i = 0; i < steps; i++) sigmas[i] = (float) stepSigmas[i];
        sigmas[steps] = config.finalSigmasType() == FinalSigmas.SIGMA_MIN ? trainingSigmas[0] : 0.0;
        timesteps = candidate;
        history = new float[config.solverOrder()][];
        lowerOrderNums = 0;
    }

    /** σ per step followed by the final σ. */
    double[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    public float[] step(float[] modelOutput, int stepIndex, float[] sample, NoiseSource noise) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(modelOutput, sample, "model output and sample");
        int n = sample.length;
        int steps = timesteps.length;
        boolean lowerFinal = stepIndex == steps - 1 && (config.eulerAtFinal()
                || (config.lowerOrderFinal() && steps < 15) || config.finalSigmasType() == FinalSigmas.ZERO);
        boolean lowerSecond = stepIndex == steps - 2 && config.lowerOrderFinal() && steps < 15;

        float[] converted = convert(modelOutput, sample, sigmas[stepIndex]);
        int order = config.solverOrder();
        System.arraycopy(history, 1, history, 0, order - 1);
        history[order - 1] = converted;
        DpmAlgorithm algorithm = config.algorithmType();
        float[] fresh = algorithm.stochastic() ? noise.gaussian(n) : null;

        int use;
        if (order == 1 || lowerOrderNums < 1 || lowerFinal) use = 1;
        else if (order == 2 || lowerOrderNums < 2 || lowerSecond) use = 2;
        else use = 3;
        float[] next = switch (use) {
            case 1 -> firstOrder(stepIndex, sample, fresh);
            case 2 -> secondOrder(stepIndex, sample, fresh);
            default -> thirdOrder(stepIndex, sample, fresh);
        };
        if (lowerOrderNums < order) lowerOrderNums++;
        return next;
    }

    /** x̂₀ for the ++ variants, ε for the plain ones, thresholded through x̂₀ where the config asks. */
    private float[] convert(float[] modelOutput, float[] sample, double sigma) {
        int n = sample.length;
        double alpha = alphaOf(sigma);
        double sigmaVp = sigma * alpha;
        double[] x0 = new double[n];
        for (int k = 0; k < n; k++) {
            double x = sample[k];
            double out = modelOutput[k];
            x0[k] = switch (config.predictionType()) {
                case EPSILON -> (x - sigmaVp * out) / alpha;
                case V_PREDICTION -> alpha * x - sigmaVp * out;
                case SAMPLE -> out;
            };
        }
        boolean data = config.algorithmType().dataPrediction();
        if (config.thresholding()) {
            DynamicThresholding.apply(x0, thresholdBatches, config.dynamicThresholdingRatio(), config.sampleMaxValue());
        } else if (!data && config.predictionType() == PredictionType.EPSILON) {
            return modelOutput.clone();
        }
        float[] converted = new float[n];
        for (int k = 0; k < n; k++) {
            converted[k] = (float) (data ? x0[k] : (sample[k] - alpha * x0[k]) / sigmaVp);
        }
        return converted;
    }

    private static double alphaOf(double sigma) {
        return 1 / Math.sqrt(sigma * sigma + 1);
    }

    private static double lambdaOf(double sigma) {
        double alpha = alphaOf(sigma);
        return Math.log(alpha) - Math.log(sigma * alpha);
    }

    private float[] firstOrder(int i, float[] sample, float[] fresh) {
        double sigmaS = sigmas[i];
        double sigmaT = sigmas[i + 1];
        double alphaT = alphaOf(sigmaT);
        double alphaS = alphaOf(sigmaS);
        double vpT = sigmaT * alphaT;
        double vpS = sigmaS * alphaS;
        double h = lambdaOf(sigmaT) - lambdaOf(sigmaS);
        double cs;
        double c0;
        double cn = 0;
        switch (config.algorithmType()) {
            case DPMSOLVER_PLUS_PLUS -> {
                cs = vpT / vpS;
                c0 = -alphaT * (Math.exp(-h) - 1);
            }
            case DPMSOLVER -> {
                cs = alphaT / alphaS;
                c0 = -vpT * (Math.exp(h) - 1);
            }
            case SDE_DPMSOLVER_PLUS_PLUS -> {
                cs = vpT / vpS * Math.exp(-h);
                c0 = alphaT * (1 - Math.exp(-2 * h));
                cn = vpT * Math.sqrt(1 - Math.exp(-2 * h));
            }
            case SDE_DPMSOLVER -> {
                cs = alphaT / alphaS;
                c0 = -2 * vpT * (Math.exp(h) - 1);
                cn = vpT * Math.sqrt(Math.exp(2 * h) - 1);
            }
            default -> throw new AssertionError();
        }
        float[] m0 = history[history.length - 1];
        float[] next = new float[sample.length];
        for (int k = 0; k < next.length; k++) {
            double value = cs * sample[k] + c0 * m0[k];
            if (fresh != null) value += cn * fresh[k];
            next[k] = (float) value;
        }
        return next;
    }

    private float[] secondOrder(int i, float[] sample, float[] fresh) {
        double sigmaT = sigmas[i + 1];
        double sigmaS0 = sigmas[i];
        double alphaT = alphaOf(sigmaT);
        double alphaS0 = alphaOf(sigmaS0);
        double vpT = sigmaT * alphaT;
        double vpS0 = sigmaS0 * alphaS0;
        double lambdaT = lambdaOf(sigmaT);
        double lambdaS0 = lambdaOf(sigmaS0);
        double lambdaS1 = lambdaOf(sigmas[i - 1]);
        double h = lambdaT - lambdaS0;
        double r0 = (lambdaS0 - lambdaS1) / h;
        boolean midpoint = config.solverType() == SolverType.MIDPOINT;
        double cs;
        double c0;
        double c1;
        double cn = 0;
        switch (config.algorithmType()) {
            case DPMSOLVER_PLUS_PLUS -> {
                cs = vpT / vpS0;
                c0 = -alphaT * (Math.exp(-h) - 1);
                c1 = midpoint ? 0.5 * c0 : alphaT * ((Math.exp(-h) - 1) / h + 1);
            }
            case DPMSOLVER -> {
                cs = alphaT / alphaS0;
                c0 = -vpT * (Math.exp(h) - 1);
                c1 = midpoint ? 0.5 * c0 : -vpT * ((Math.exp(h) - 1) / h - 1);
            }
            case SDE_DPMSOLVER_PLUS_PLUS -> {
                cs = vpT / vpS0 * Math.exp(-h);
                c0 = alphaT * (1 - Math.exp(-2 * h));
                c1 = midpoint ? 0.5 * c0 : alphaT * ((1 - Math.exp(-2 * h)) / (-2 * h) + 1);
                cn = vpT * Math.sqrt(1 - Math.exp(-2 * h));
            }
            case SDE_DPMSOLVER -> {
                cs = alphaT / alphaS0;
                c0 = -2 * vpT * (Math.exp(h) - 1);
                c1 = midpoint ? -vpT * (Math.exp(h) - 1) : -2 * vpT * ((Math.exp(h) - 1) / h - 1);
                cn = vpT * Math.sqrt(Math.exp(2 * h) - 1);
            }
            default -> throw new AssertionError();
        }
        float[] m0 = history[history.length - 1];
        float[] m1 = history[history.length - 2];
        float[] next = new float[sample.length];
        for (int k = 0; k < next.length; k++) {
            double d1 = (1.0 / r0) * ((double) m0[k] - m1[k]);
            double value = cs * sample[k] + c0 * m0[k] + c1 * d1;
            if (fresh != null) value += cn * fresh[k];
            next[k] = (float) value;
        }
        return next;
    }

    private float[] thirdOrder(int i, float[] sample, float[] fresh) {
        double sigmaT = sigmas[i + 1];
        double sigmaS0 = sigmas[i];
        double alphaT = alphaOf(sigmaT);
        double alphaS0 = alphaOf(sigmaS0);
        double vpT = sigmaT * alphaT;
        double vpS0 = sigmaS0 * alphaS0;
        double lambdaT = lambdaOf(sigmaT);
        double lambdaS0 = lambdaOf(sigmaS0);
        double lambdaS1 = lambdaOf(sigmas[i - 1]);
        double lambdaS2 = lambdaOf(sigmas[i - 2]);
        double h = lambdaT - lambdaS0;
        double r0 = (lambdaS0 - lambdaS1) / h;
        double r1 = (lambdaS1 - lambdaS2) / h;
        double cs;
        double c0;
        double c1;
        double c2;
        double cn = 0;
        switch (config.algorithmType()) {
            case DPMSOLVER_PLUS_PLUS -> {
                cs = vpT / vpS0;
                c0 = -alphaT * (Math.exp(-h) - 1);
                c1 = alphaT * ((Math.exp(-h) - 1) / h + 1);
                c2 = -alphaT * ((Math.exp(-h) - 1 + h) / (h * h) - 0.5);
            }
            case DPMSOLVER -> {
                cs = alphaT / alphaS0;
                c0 = -vpT * (Math.exp(h) - 1);
                c1 = -vpT * ((Math.exp(h) - 1) / h - 1);
                c2 = -vpT * ((Math.exp(h) - 1 - h) / (h * h) - 0.5);
            }
            case SDE_DPMSOLVER_PLUS_PLUS -> {
                cs = vpT / vpS0 * Math.exp(-h);
                c0 = alphaT * (1 - Math.exp(-2 * h));
                c1 = alphaT * ((1 - Math.exp(-2 * h)) / (-2 * h) + 1);
                c2 = alphaT * ((1 - Math.exp(-2 * h) - 2 * h) / (4 * h * h) - 0.5);
                cn = vpT * Math.sqrt(1 - Math.exp(-2 * h));
            }
            default -> throw new AssertionError(config.algorithmType());
        }
        float[] m0 = history[history.length - 1];
        float[] m1 = history[history.length - 2];
        float[] m2 = history[history.length - 3];
        float[] next = new float[sample.length];
        for (int k = 0; k < next.length; k++) {
            double d10 = (1.0 / r0) * ((double) m0[k] - m1[k]);
            double d11 = (1.0 / r1) * ((double) m1[k] - m2[k]);
            double d1 = d10 + (r0 / (r0 + r1)) * (d10 - d11);
            double d2 = (1.0 / (r0 + r1)) * (d10 - d11);
            double value = cs * sample[k] + c0 * m0[k] + c1 * d1 + c2 * d2;
            if (fresh != null) value += cn * fresh[k];
            next[k] = (float) value;
        }
        return next;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        checkStepIndex(stepIndex);
        ScheduleMath.requireSameLength(original, noise, "sample and noise");
        double sigma = sigmas[stepIndex];
        double alpha = alphaOf(sigma);
        double sigmaVp = sigma * alpha;
        float[] noisy = new float[original.length];
        for (int k = 0; k < noisy.length; k++) noisy[k] = (float) (alpha * original[k] + sigmaVp * noise[k]);
        return noisy;
    }
}
