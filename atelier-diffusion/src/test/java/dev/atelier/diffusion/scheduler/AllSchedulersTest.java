package dev.atelier.diffusion.scheduler;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static dev.atelier.diffusion.scheduler.SchedulerTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties every scheduler shares: with an oracle model whose ideal x₀ is a known constant c, sampling from
 * random noise ends on c; image-to-image starting mid-schedule does too; stochastic samplers are reproducible
 * from the noise seed.
 */
class AllSchedulersTest {

    private static final int N = 64;
    private static final float[] TARGET = constant(N, 0.8f, -0.3f, 0.1f, -0.9f, 0.45f);

    /** SD 1.5's config, but DDIM's last step onto ᾱ = 1 so that its end is x̂₀ itself. */
    private static SchedulerConfig config(PredictionType type) {
        return SchedulerConfig.stableDiffusionDefaults().withSetAlphaToOne(true).withPredictionType(type);
    }

    private static int stepsFor(SchedulerKind kind) {
        return kind == SchedulerKind.LCM ? 4 : 30;
    }

    static List<Arguments> kindsAndPredictionTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (SchedulerKind kind : SchedulerKind.values()) {
            for (PredictionType type : PredictionType.values()) {
                if (kind == SchedulerKind.EULER_ANCESTRAL && type == PredictionType.SAMPLE) continue;
                cases.add(Arguments.of(kind, type));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kindsAndPredictionTypes")
    void oracleLandsOnItsTargetFromRandomNoise(SchedulerKind kind, PredictionType type) {
        Scheduler scheduler = Schedulers.create(kind, config(type));
        float[] result = sample(scheduler, stepsFor(kind), oracle(type, TARGET), 42, N);
        assertThat(maxAbsDifference(result, TARGET)).isLessThan(1e-4);
    }

    @ParameterizedTest
    @EnumSource(SchedulerKind.class)
    void eulerWithKarrasSigmasAndEveryKindUnderTrailingSpacingLandToo(SchedulerKind kind) {
        SchedulerConfig config = config(PredictionType.EPSILON).withKarrasSigmas(true)
                .withTimestepSpacing(TimestepSpacing.TRAILING);
        float[] result = sample(Schedulers.create(kind, config), stepsFor(kind),
                oracle(PredictionType.EPSILON, TARGET), 43, N);
        assertThat(maxAbsDifference(result, TARGET)).isLessThan(1e-4);
    }

    @ParameterizedTest
    @EnumSource(SchedulerKind.class)
    void imageToImageFromAStepAfterTheFirstLandsOnTheTarget(SchedulerKind kind) {
        int steps = stepsFor(kind);
        double strength = 0.6;
        int start = steps - (int) Math.floor(steps * strength);
        assertThat(start).isPositive();
        float[] init = constant(N, -0.5f, 0.2f);
        Scheduler scheduler = Schedulers.create(kind, config(PredictionType.EPSILON));
        float[] result = sampleFrom(scheduler, steps, start, init, oracle(PredictionType.EPSILON, TARGET), 5);
        assertThat(maxAbsDifference(result, TARGET)).isLessThan(1e-4);
    }

    @ParameterizedTest
    @EnumSource(value = SchedulerKind.class, names = {"EULER_ANCESTRAL", "LCM"})
    void stochasticSamplersAreReproducibleFromTheSeed(SchedulerKind kind) {
        // the Gaussian-data model makes the result depend on every noise draw
        Model model = gaussianData(PredictionType.EPSILON, TARGET, 0.5);
        float[] first = sample(Schedulers.create(kind, config(PredictionType.EPSILON)), stepsFor(kind), model, 9, N);
        float[] again = sample(Schedulers.create(kind, config(PredictionType.EPSILON)), stepsFor(kind), model, 9, N);
        float[] other = sample(Schedulers.create(kind, config(PredictionType.EPSILON)), stepsFor(kind), model, 10, N);
        assertThat(again).containsExactly(first);
        assertThat(maxAbsDifference(first, other)).isGreaterThan(1e-2);
        // and they still end near the data mean
        double meanError = 0;
        for (int k = 0; k < N; k++) meanError += first[k] - TARGET[k];
        assertThat(Math.abs(meanError / N)).isLessThan(0.15);
    }

    @Test
    void ancestralSamplingReproducesTheDataSpread() {
        // for data N(c, s²) and its exact denoiser, ancestral sampling draws (approximately) from N(c, s²)
        int n = 8192;
        double spread = 0.5;
        float[] mean = constant(n, 0.3f);
        float[] result = sample(Schedulers.create(SchedulerKind.EULER_ANCESTRAL, config(PredictionType.EPSILON)),
                100, gaussianData(PredictionType.EPSILON, mean, spread), 21, n);
        double sum = 0;
        for (float v : result) sum += v;
        double average = sum / n;
        double squares = 0;
        for (float v : result) squares += (v - average) * (v - average);
        double std = Math.sqrt(squares / n);
        assertThat(average).isBetween(0.27, 0.33);
        assertThat(std).isBetween(0.44, 0.54);
    }

    @ParameterizedTest
    @EnumSource(SchedulerKind.class)
    void setTimestepsStartsAFreshRun(SchedulerKind kind) {
        Scheduler scheduler = Schedulers.create(kind, config(PredictionType.EPSILON));
        Model model = gaussianData(PredictionType.EPSILON, TARGET, 0.5);
        float[] first = sample(scheduler, stepsFor(kind), model, 3, N);
        float[] second = sample(scheduler, stepsFor(kind), model, 3, N);
        assertThat(second).containsExactly(first);
    }
}
