package dev.atelier.app.server;

import dev.atelier.diffusion.pipeline.SamplingDefaults;
import dev.atelier.diffusion.scheduler.SchedulerKind;

/**
 * What a request that leaves a setting out gets, from the loaded model: its folder (stored in the PNGs), image size,
 * scheduler, and the model family's steps and guidance.
 */
record RequestDefaults(String modelPath, int imageSize, SchedulerKind scheduler, SamplingDefaults sampling) {

    int steps(SchedulerKind kind) { return sampling.steps(kind); }

    double guidance(SchedulerKind kind) { return sampling.guidance(kind); }
}
