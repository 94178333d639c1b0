package dev.atelier.diffusion.scheduler;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.atelier.diffusion.scheduler.SchedulerTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DdimSchedulerTest {

    private static final SchedulerConfig SD = SchedulerConfig.stableDiffusionDefaults();

    private static Scheduler ddim(SchedulerConfig config) {
        return Schedulers.create(SchedulerKind.DDIM, config);
    }

    @Test
    void leadingSpacingWithStepsOffsetGivesTheSd15Schedule() {
        Scheduler scheduler = ddim(SD);
        scheduler.setTimesteps(50);
        double[] expected = new double[50];
        for (int i = 0; i < 50; i++) expected[i] = 981 - 20 * i; // 981, 961, …, 1
        assertThat(scheduler.timesteps()).containsExactly(expected);

        scheduler.setTimesteps(3);
        assertThat(scheduler.timesteps()).containsExactly(667, 334, 1); // 1000//3 = 333
    }

    @Test
    void trailingSpacingStartsAtTheLastTrainingTimestep() {
        Scheduler scheduler = ddim(SD.withTimestepSpacing(TimestepSpacing.TRAILING));
        scheduler.setTimesteps(50);
        double[] expected = new double[50];
        for (int i = 0; i < 50; i++) expected[i] = 999 - 20 * i; // 999, 979, …, 19
        assertThat(scheduler.timesteps()).containsExactly(expected);

        scheduler.setTimesteps(3); // round(1000, 666.67, 333.33) − 1
        assertThat(scheduler.timesteps()).containsExactly(999, 666, 332);
    }

    @Test
    void linspaceSpacingCoversBothEnds() {
        Scheduler scheduler = ddim(SD.withTimestepSpacing(TimestepSpacing.LINSPACE));
        scheduler.setTimesteps(10);
        assertThat(scheduler.timesteps()).containsExactly(999, 888, 777, 666, 555, 444, 333, 222, 111, 0);
        scheduler.setTimesteps(4);
        assertThat(scheduler.timesteps()).containsExactly(999, 666, 333, 0);
    }

    @Test
    void initNoiseSigmaIsOneAndModelInputIsTheSample() {
        Scheduler scheduler = ddim(SD);
        scheduler.setTimesteps(20);
        assertThat(scheduler.initNoiseSigma()).isEqualTo(1.0);
        float[] x = {0.5f, -2f};
        assertThat(scheduler.scaleModelInput(x, 3)).containsExactly(0.5f, -2f);
    }

    @Test
    void oneEpsilonStepMatchesTheHandComputedFormula() {
        Scheduler scheduler = ddim(SD);
        scheduler.setTimesteps(50); // step 0: t = 981 → prev 961
        double[] alphaBar = sdAlphaBar();
        double a = alphaBar[981];
        double ap = alphaBar[961];
        float x = 0.7f;
        float eps = -1.3f;
        double x0 = (x - Math.sqrt(1 - a) * eps) / Math.sqrt(a);
        double expected = Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * eps;
        float[] out = scheduler.step(new float[]{eps}, 0, new float[]{x}, n -> new float[n]);
        assertThat((double) out[0]).isCloseTo(expected, within(1e-5));
        // a literal anchor for the schedule itself: ᾱ_981 of SD in diffusers' float32 (float64 would give 0.0057755001)
        assertThat(a).isCloseTo(0.0057754959, within(1e-9));
    }

    @Test
    void lastStepLandsOnAlphaZeroUnlessSetAlphaToOne() {
        double a1 = sdAlphaBar()[1];
        double a0 = 0.99915; // 1 − β₀
        float x = 0.4f;
        float eps = 0.9f;
        double x0 = (x - Math.sqrt(1 - a1) * eps) / Math.sqrt(a1);

        Scheduler sd = ddim(SD);
        sd.setTimesteps(50); // last t = 1, prev = −19 → final ᾱ
        float[] out = sd.step(new float[]{eps}, 49, new float[]{x}, n -> new float[n]);
        assertThat((double) out[0]).isCloseTo(Math.sqrt(a0) * x0 + Math.sqrt(1 - a0) * eps, within(1e-5));

        Scheduler toOne = ddim(SD.withSetAlphaToOne(true));
        toOne.setTimesteps(50);
        assertThat((double) toOne.step(new float[]{eps}, 49, new float[]{x}, n -> new float[n])[0])
                .isCloseTo(x0, within(1e-5));
    }

    @Test
    void vPredictionAndSampleStepsMatchTheirFormulas() {
        double[] alphaBar = sdAlphaBar();
        double a = alphaBar[501];
        double ap = alphaBar[481];
        float x = -0.8f;
        float v = 0.35f;
        Scheduler vScheduler = ddim(SD.withPredictionType(PredictionType.V_PREDICTION));
        vScheduler.setTimesteps(50); // index 24: t = 981 − 480 = 501
        assertThat(vScheduler.timesteps()[24]).isEqualTo(501);
        double x0 = Math.sqrt(a) * x - Math.sqrt(1 - a) * v;
        double eps = Math.sqrt(a) * v + Math.sqrt(1 - a) * x;
        float[] out = vScheduler.step(new float[]{v}, 24, new float[]{x}, n -> new float[n]);
        assertThat((double) out[0]).isCloseTo(Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * eps, within(1e-5));

        Scheduler sampleScheduler = ddim(SD.withPredictionType(PredictionType.SAMPLE));
        sampleScheduler.setTimesteps(50);
        float predictedX0 = 0.25f;
        double epsFromX0 = (x - Math.sqrt(a) * predictedX0) / Math.sqrt(1 - a);
        float[] fromSample = sampleScheduler.step(new float[]{predictedX0}, 24, new float[]{x}, n -> new float[n]);
        assertThat((double) fromSample[0])
                .isCloseTo(Math.sqrt(ap) * predictedX0 + Math.sqrt(1 - ap) * epsFromX0, within(1e-5));
    }

    @Test
    void clipSampleClampsThePredictedCleanSample() {
        SchedulerConfig clipping = SchedulerConfig.parse("{\"clip_sample\": true, \"clip_sample_range\": 1.0}");
        Scheduler scheduler = ddim(clipping.withPredictionType(PredictionType.SAMPLE));
        scheduler.setTimesteps(50);
        double[] alphaBar = sdAlphaBar();
        double a = alphaBar[501];
        double ap = alphaBar[481];
        float x = 0.1f;
        float predicted = 3f;
        double eps = (x - Math.sqrt(a) * predicted) / Math.sqrt(1 - a); // ε from the unclipped x̂₀
        float[] out = scheduler.step(new float[]{predicted}, 24, new float[]{x}, n -> new float[n]);
        assertThat((double) out[0]).isCloseTo(Math.sqrt(ap) * 1.0 + Math.sqrt(1 - ap) * eps, within(1e-5));
    }

    @Test
    void addNoiseUsesTheAlphaBarOfTheStartTimestep() {
        Scheduler scheduler = ddim(SD);
        scheduler.setTimesteps(50);
        double a = sdAlphaBar()[581]; // index 20
        float[] noisy = scheduler.addNoise(new float[]{0.6f}, new float[]{-1.1f}, 20);
        assertThat((double) noisy[0]).isCloseTo(Math.sqrt(a) * 0.6 - Math.sqrt(1 - a) * 1.1, within(1e-6));
    }

    @ParameterizedTest
    @EnumSource(PredictionType.class)
    void oracleModelLandsOnItsTargetFromRandomNoise(PredictionType type) {
        float[] target = constant(64, 0.8f, -0.3f, 0.1f, -0.9f);
        Scheduler scheduler = ddim(SD.withSetAlphaToOne(true).withPredictionType(type));
        float[] result = sample(scheduler, 50, oracle(type, target), 7, 64);
        assertThat(maxAbsDifference(result, target)).isLessThan(1e-4);
    }

    @Test
    void withSd15FinalAlphaTheResultKeepsTheResidualNoiseOfAlphaZero() {
        float[] target = constant(16, 0.5f);
        Scheduler scheduler = ddim(SD);
        float[] result = sample(scheduler, 20, oracle(PredictionType.EPSILON, target), 3, 16);
        // DDIM keeps the ε implied at the start (t₀ = 19·50 + 1 = 951), so it ends at √ᾱ₀·c + √(1−ᾱ₀)·ε
        float[] start = gaussian(3, 16);
        double a951 = sdAlphaBar()[951];
        for (int k = 0; k < 16; k++) {
            double eps = (start[k] - Math.sqrt(a951) * 0.5) / Math.sqrt(1 - a951);
            assertThat((double) result[k])
                    .isCloseTo(Math.sqrt(0.99915) * 0.5 + Math.sqrt(0.00085) * eps, within(1e-4));
        }
    }

    @Test
    void imageToImageStartingMidScheduleLandsOnTheTarget() {
        float[] target = constant(32, -0.4f, 0.7f);
        float[] init = constant(32, 0.9f);
        Scheduler scheduler = ddim(SD.withSetAlphaToOne(true));
        float[] result = sampleFrom(scheduler, 30, 12, init, oracle(PredictionType.EPSILON, target), 11);
        assertThat(maxAbsDifference(result, target)).isLessThan(1e-4);
    }

    @Test
    void tooManyStepsForTheScheduleAreAClearError() {
        Scheduler scheduler = ddim(SD);
        assertThatThrownBy(() -> scheduler.setTimesteps(1000)).hasMessageContaining("choose fewer steps");
        assertThatThrownBy(() -> scheduler.setTimesteps(0)).hasMessageContaining("choose between 1 and 1000");
    }
}
