package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;

/** What every scheduler here shares: the config, the training noise schedule and the chosen timesteps. */
abstract class DiscreteScheduler implements Scheduler {

    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    /** How many batch entries a sample holds, each thresholded on its own (the pipeline steps one image at a time). */
    int thresholdBatches = 1;
    /** The model timesteps in sampling order; null until {@link #setTimesteps} ran. */
    protected double[] timesteps;

    DiscreteScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = NoiseSchedule.of(config);
    }

    /** The display name used in error messages. */
    abstract String name();

    /** Variance-preserving samplers start from unit noise; σ-space samplers override this. */
    @Override
    public double initNoiseSigma() { return 1.0; }

    /** Variance-preserving samplers feed the sample as it is; σ-space samplers override this. */
    @Override
    public float[] scaleModelInput(float[] sample, int stepIndex) {
        checkStepIndex(stepIndex);
        return sample;
    }

    /** ᾱ after the last step: 1 with {@code set_alpha_to_one}, else ᾱ at t = 0 (diffusers' final_alpha_cumprod). */
    protected final double finalAlphaCumprod() {
        return config.setAlphaToOne() ? 1.0 : schedule.alphaCumprod(0);
    }

    @Override
    public double[] timesteps() {
        requireTimesteps();
        return timesteps.clone();
    }

    protected final void requireTimesteps() {
        if (timesteps == null) {
            throw new IllegalStateException("setTimesteps must be called before sampling with " + name());
        }
    }

    protected final void checkStepIndex(int stepIndex) {
        requireTimesteps();
        if (stepIndex < 0 || stepIndex >= timesteps.length) {
            throw new IndexOutOfBoundsException("step index " + stepIndex + " outside 0.." + (timesteps.length - 1));
        }
    }

    /**
     * The diffusers timestep spacings for {@code steps} of {@code trainSteps}: leading and trailing are whole
     * numbers, linspace is left fractional (schedulers that need integers round it half-to-even as numpy does).
     */
    static double[] spacedTimesteps(TimestepSpacing spacing, int trainSteps, int steps, int stepsOffset) {
        double[] t = new double[steps];
        switch (spacing) {
            case LEADING -> {
                int ratio = trainSteps / steps;
                for (int i = 0; i < steps; i++) t[i] = (double) (steps - 1 - i) * ratio + stepsOffset;
            }
            case TRAILING -> {
                double ratio = (double) trainSteps / steps;
                for (int i = 0; i < steps; i++) t[i] = Math.rint(trainSteps - i * ratio) - 1;
            }
            case LINSPACE -> {
                double[] ascending = ScheduleMath.linspace(0, trainSteps - 1, steps);
                for (int i = 0; i < steps; i++) t[i] = ascending[steps - 1 - i];
            }
        }
        return t;
    }

    /** Rejects schedules whose largest timestep falls outside training (e.g. leading with steps_offset at T steps). */
    protected final void requireWithinTraining(double[] candidate, int steps) {
        for (double t : candidate) {
            if (t < 0 || t > schedule.trainSteps() - 1) {
                throw new AtelierException("The " + name() + " scheduler cannot run " + steps + " steps with this "
                        + "config: timestep " + t + " falls outside 0.." + (schedule.trainSteps() - 1)
                        + "; choose fewer steps.");
            }
        }
    }

    static double[] roundHalfEven(double[] values) {
        double[] rounded = new double[values.length];
        for (int i = 0; i < values.length; i++) rounded[i] = Math.rint(values[i]);
        return rounded;
    }
}
