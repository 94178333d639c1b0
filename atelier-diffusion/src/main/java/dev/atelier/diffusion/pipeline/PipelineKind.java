package dev.atelier.diffusion.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What a Stable Diffusion UNet is trained for, told apart by its input channels: 4, 8 or 9. */
public enum PipelineKind {
    TEXT_TO_IMAGE(4, "a text-to-image"),
    INSTRUCT_PIX2PIX(8, "an InstructPix2Pix"),
    INPAINTING(9, "an inpainting");

    private final int unetChannels;
    private final String description;

    PipelineKind(int unetChannels, String description) {
        this.unetChannels = unetChannels;
        this.description = description;
    }

    /** Channels of the UNet's {@code sample} input. */
    public int unetChannels() { return unetChannels; }

    /** E.g. "an inpainting", for messages ("… is an inpainting model"). */
    public String description() { return description; }

    /** The kind with this many UNet input channels, or null. */
    public static PipelineKind ofChannels(long channels) {
        for (PipelineKind k : values()) if (k.unetChannels == channels) return k;
        return null;
    }

    /**
     * The kind from {@code unet/config.json}'s {@code in_channels} when present, else from model_index.json's
     * {@code _class_name} (…InstructPix2Pix…, …Inpaint…), else text-to-image.
     */
    public static PipelineKind of(PipelineDirectory dir) {
        Path config = dir.root().resolve("unet/config.json");
        if (Files.isRegularFile(config)) {
            try {
                PipelineKind k = ofChannels(new ObjectMapper().readTree(config.toFile()).path("in_channels").asInt(0));
                if (k != null) return k;
            } catch (IOException e) {
                // an unreadable config says nothing; the class name still may
            }
        }
        String name = dir.className().toLowerCase(Locale.ROOT);
        if (name.contains("instructpix2pix")) return INSTRUCT_PIX2PIX;
        if (name.contains("inpaint")) return INPAINTING;
        return TEXT_TO_IMAGE;
    }
}
