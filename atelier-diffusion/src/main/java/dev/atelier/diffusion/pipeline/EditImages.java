package dev.atelier.diffusion.pipeline;

import dev.atelier.core.image.ImageTensors;
import java.awt.image.BufferedImage;

/** Bringing an edit's input image to the render size. */
final class EditImages {
    private EditImages() {}

    /** The image as a [3, height, width] tensor in [-1, 1], resized when its size differs. */
    static float[] pixels(BufferedImage image, int width, int height) {
        return ImageTensors.toNchw(fit(image, width, height));
    }

    static BufferedImage fit(BufferedImage image, int width, int height) {
        return image.getWidth() == width && image.getHeight() == height ? image
                : StableDiffusionPipeline.resize(image, width, height);
    }
}
