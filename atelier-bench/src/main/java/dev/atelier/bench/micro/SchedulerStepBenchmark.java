package dev.atelier.bench.micro;

import dev.atelier.diffusion.scheduler.NoiseSource;
import dev.atelier.diffusion.scheduler.Scheduler;
import dev.atelier.diffusion.scheduler.SchedulerConfig;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.diffusion.scheduler.Schedulers;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full 20-step sampling run of each scheduler over SD-sized latents (4×64×64) with a fixed model output, so the
 * figure is the scheduler's own arithmetic: the part of a step that is not the UNet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SchedulerStepBenchmark {
    private static final int LATENT_SIZE = 4 * 64 * 64;
    private static final int STEPS = 20;

    @Param({"DDIM", "EULER", "EULER_ANCESTRAL", "DPMPP_2M_KARRAS", "LCM"})
    public SchedulerKind kind;

    private Scheduler scheduler;
    private float[] start;
    private float[] modelOutput;
    private NoiseSource noise;

    @Setup
    public void setUp() {
        scheduler = Schedulers.create(kind, SchedulerConfig.stableDiffusionDefaults());
        SplittableRandom random = new SplittableRandom(42);
        start = new float[LATENT_SIZE];
        modelOutput = new float[LATENT_SIZE];
        for (int i = 0; i < LATENT_SIZE; i++) {
            start[i] = (float) random.nextDouble(-1, 1);
            modelOutput[i] = (float) random.nextDouble(-1, 1);
        }
        float[] fixedNoise = new float[LATENT_SIZE];
        for (int i = 0; i < LATENT_SIZE; i++) fixedNoise[i] = (float) random.nextDouble(-1, 1);
        noise = n -> fixedNoise;
    }

    @Benchmark
    public float[] sampleTwentySteps() {
        scheduler.setTimesteps(STEPS);
        float[] x = start;
        for (int k = 0; k < scheduler.timesteps().length; k++) {
            scheduler.scaleModelInput(x, k);
            x = scheduler.step(modelOutput, k, x, noise);
        }
        return x;
    }
}
