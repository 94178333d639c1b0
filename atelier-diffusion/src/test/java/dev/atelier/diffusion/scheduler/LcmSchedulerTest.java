package dev.atelier.diffusion.scheduler;

import org.junit.jupiter.api.Test;

import static dev.atelier.diffusion.scheduler.SchedulerTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** LCM multistep sampling against Luo et al.'s skipping-step schedule and boundary conditions. */
class LcmSchedulerTest {

    private static final SchedulerConfig SD = SchedulerConfig.stableDiffusionDefaults();

    private static LcmScheduler lcm(SchedulerConfig config) {
        return (LcmScheduler) Schedulers.create(SchedulerKind.LCM, config);
    }

    @Test
    void timestepsComeFromTheFiftyStepDistillationSchedule() {
        LcmScheduler scheduler = lcm(SD);
        scheduler.setTimesteps(4);
        assertThat(scheduler.timesteps()).containsExactly(999, 759, 499, 259);
        scheduler.setTimesteps(1);
        assertThat(scheduler.timesteps()).containsExactly(999);
        scheduler.setTimesteps(2);
        assertThat(scheduler.timesteps()).containsExactly(999, 499);
        scheduler.setTimesteps(8); // indices ⌊j·50/8⌋ = 0, 6, 12, 18, 25, 31, 37, 43 into 999, 979, …, 19
        assertThat(scheduler.timesteps()).containsExactly(999, 879, 759, 639, 499, 379, 259, 139);
        assertThat(scheduler.initNoiseSigma()).isEqualTo(1.0);
    }

    @Test
    void moreStepsThanTheDistillationScheduleIsAClearError() {
        assertThatThrownBy(() -> lcm(SD).setTimesteps(51)).hasMessageContaining("choose between 1 and 50");
    }

    @Test
    void boundaryConditionScalings() {
        LcmScheduler scheduler = lcm(SD);
        scheduler.setTimesteps(4);
        double scaled = 759 * 10.0;
        assertThat(scheduler.skipScaling(1)).isCloseTo(0.25 / (scaled * scaled + 0.25), within(1e-15));
        assertThat(scheduler.outScaling(1)).isCloseTo(scaled / Math.sqrt(scaled * scaled + 0.25), within(1e-12));
    }

    @Test
    void oneStepDenoisesAndRenoisesToTheNextTimestep() {
        LcmScheduler scheduler = lcm(SD);
        scheduler.setTimesteps(4);
        double[] alphaBar = sdAlphaBar();
        float x = 1.2f;
        float eps = 0.3f;
        float z = 0.7f;
        double x0 = (x - Math.sqrt(1 - alphaBar[759]) * eps) / Math.sqrt(alphaBar[759]);
        double s = 7590;
        double denoised = s / Math.sqrt(s * s + 0.25) * x0 + 0.25 / (s * s + 0.25) * x;
        double expected = Math.sqrt(alphaBar[499]) * denoised + Math.sqrt(1 - alphaBar[499]) * z;
        float[] out = scheduler.step(new float[]{eps}, 1, new float[]{x}, n -> new float[]{z});
        assertThat((double) out[0]).isCloseTo(expected, within(1e-5));
    }

    @Test
    void lastStepReturnsTheDenoisedSampleWithoutNoise() {
        LcmScheduler scheduler = lcm(SD.withPredictionType(PredictionType.V_PREDICTION));
        scheduler.setTimesteps(4);
        double alphaBar = sdAlphaBar()[259];
        float x = 0.6f;
        float v = -0.2f;
        double x0 = Math.sqrt(alphaBar) * x - Math.sqrt(1 - alphaBar) * v;
        double s = 2590;
        double expected = s / Math.sqrt(s * s + 0.25) * x0 + 0.25 / (s * s + 0.25) * x;
        float[] out = scheduler.step(new float[]{v}, 3, new float[]{x}, n -> {
            throw new AssertionError("no noise on the last step");
        });
        assertThat((double) out[0]).isCloseTo(expected, within(1e-6));
    }
}
