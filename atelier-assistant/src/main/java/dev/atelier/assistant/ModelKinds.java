package dev.atelier.assistant;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.pipeline.PipelineDirectory;
import dev.atelier.diffusion.pipeline.PipelineKind;

/** Checks that a model folder is of the kind a plan needs, and says which model to get when it is not. */
public final class ModelKinds {
    private ModelKinds() {}

    /** The preset that gives a model of {@code kind} ({@code atelier models pull NAME}). */
    public static String preset(PipelineKind kind) {
        return switch (kind) {
            case TEXT_TO_IMAGE -> "sd15";
            case INSTRUCT_PIX2PIX -> "instruct-pix2pix";
            case INPAINTING -> "sd-inpainting";
        };
    }

    /**
     * The folder's kind when it is {@code needed}; otherwise an error such as "this instruction edit needs an
     * InstructPix2Pix model, but sd15 is a text-to-image model: pass --edit-model instruct-pix2pix (get it with:
     * atelier models pull instruct-pix2pix)".
     *
     * @param purpose what the model is for, e.g. "this instruction edit"
     * @param option  the option that takes the right model, e.g. "--edit-model"
     */
    public static PipelineKind require(PipelineDirectory directory, PipelineKind needed, String purpose, String option) {
        PipelineKind actual = PipelineKind.of(directory);
        if (actual == needed) return actual;
        String name = preset(needed);
        throw new AtelierException(purpose + " needs " + needed.description() + " model, but " + directory.name() + " is "
                + actual.description() + " model: pass " + option + " " + name + " (get it with: atelier models pull "
                + name + ")");
    }
}
