package dev.atelier.app.server;

import dev.atelier.diffusion.scheduler.SchedulerKind;

/**
 * What a request that leaves a setting out gets, from the loaded model: its folder (stored in the PNGs), image size,
 * scheduler, and whether it is a Turbo model (1 step, no guidance) or an LCM with guidance embedding.
 */
record RequestDefaults(String modelPath, int imageSize, SchedulerKind scheduler, boolean turbo, boolean guidanceEmbedding) {

    int steps(SchedulerKind kind) {
        return turbo ? 1 : kind == SchedulerKind.LCM ? 4 : 20;
    }

    double guidance(SchedulerKind kind) {
        return turbo ? 0.0 : kind == SchedulerKind.LCM && !guidanceEmbedding ? 1.0 : 7.5;
    }
}
