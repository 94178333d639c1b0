package dev.atelier.core.plan;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;

/**
 * Change an existing picture.
 *
 * @param instruction   the expressive instruction (MGIE): explicit and concise, e.g. "replace the fries with a green
 *                      salad"; for inpainting and outpainting it describes what to paint into the new area
 * @param mode          instruction edit, inpaint or outpaint
 * @param imageGuidance how closely to keep the input picture (InstructPix2Pix's image guidance)
 * @param picture       which picture of the conversation is changed (numbered from 1), or null for the picture
 *                      given with the request
 */
public record EditPlan(String instruction, Mode mode, String negativePrompt, Integer steps, Double guidance,
                       Double imageGuidance, Long seed, Integer picture) implements Plan {

    public static final double DEFAULT_IMAGE_GUIDANCE = 1.5;

    /** How the picture is changed; in JSON the member {@code "kind"} says which. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = InstructionEdit.class, name = "instruction"),
            @JsonSubTypes.Type(value = Inpaint.class, name = "inpaint"),
            @JsonSubTypes.Type(value = Outpaint.class, name = "outpaint")})
    public sealed interface Mode permits InstructionEdit, Inpaint, Outpaint {}

    /** Edit the whole picture by the instruction (InstructPix2Pix). */
    public record InstructionEdit() implements Mode {}

    /** Repaint the masked area with the instruction. */
    public record Inpaint(Mask mask) implements Mode {
        public Inpaint {
            if (mask == null) throw new InvalidPlanException("The inpaint plan has no mask; give \"mask\" as {\"source\":\"described\",\"description\":…} or {\"source\":\"file\",\"path\":…}.");
        }
    }

    /** Extend the canvas by these many pixels on each side and paint the new area. */
    public record Outpaint(int left, int top, int right, int bottom) implements Mode {
        public static final int MAX_EXTENSION = 2048;

        public Outpaint {
            for (int v : new int[] {left, top, right, bottom}) {
                if (v < 0 || v > MAX_EXTENSION || v % 8 != 0) {
                    throw new InvalidPlanException("An outpaint amount is " + v + " pixels; use a multiple of 8 between 0 and " + MAX_EXTENSION + ".");
                }
            }
            if (left + top + right + bottom == 0) {
                throw new InvalidPlanException("The outpaint plan extends no side; give at least one of left, top, right, bottom in pixels.");
            }
        }
    }

    /** Where the inpainting mask comes from; in JSON the member {@code "source"} says which. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "source")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = DescribedMask.class, name = "described"),
            @JsonSubTypes.Type(value = MaskFile.class, name = "file")})
    public sealed interface Mask permits DescribedMask, MaskFile {}

    /** A mask described in words ("the fries on the plate"), to be found in the picture by a segmenter. */
    public record DescribedMask(String description) implements Mask {
        public DescribedMask { description = Plan.requireText(description, "mask description", "inpaint"); }
    }

    /** A mask the person gave as an image file: white repaints, black keeps. */
    public record MaskFile(String path) implements Mask {
        public MaskFile { path = Plan.requireText(path, "mask path", "inpaint"); }
    }

    public EditPlan {
        instruction = Plan.requireText(instruction, "instruction", "edit");
        mode = Objects.requireNonNullElse(mode, new InstructionEdit());
        negativePrompt = Plan.orEmpty(negativePrompt);
        steps = Sizes.steps(steps);
        guidance = Sizes.guidance(guidance, GeneratePlan.DEFAULT_GUIDANCE, "guidance");
        imageGuidance = Sizes.guidance(imageGuidance, DEFAULT_IMAGE_GUIDANCE, "imageGuidance");
        picture = Plan.pictureNumber(picture);
    }

    /** An edit of the picture given with the request. */
    public EditPlan(String instruction, Mode mode, String negativePrompt, Integer steps, Double guidance,
                    Double imageGuidance, Long seed) {
        this(instruction, mode, negativePrompt, steps, guidance, imageGuidance, seed, null);
    }

    public EditPlan withPicture(Integer number) {
        return new EditPlan(instruction, mode, negativePrompt, steps, guidance, imageGuidance, seed, number);
    }

    public EditPlan withImageGuidance(Double newImageGuidance) {
        return new EditPlan(instruction, mode, negativePrompt, steps, guidance, newImageGuidance, seed, picture);
    }

    public static EditPlan of(String instruction, Mode mode) {
        return new EditPlan(instruction, mode, "", null, null, null, null);
    }
}
