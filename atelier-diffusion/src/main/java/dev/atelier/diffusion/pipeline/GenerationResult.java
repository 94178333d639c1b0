package dev.atelier.diffusion.pipeline;

import java.util.List;

/** The images of one request (with their seeds) and where the time went. */
public record GenerationResult(GenerationRequest request, List<GeneratedImage> images, Timings timings) {
    public GenerationResult {
        images = List.copyOf(images);
    }
}
