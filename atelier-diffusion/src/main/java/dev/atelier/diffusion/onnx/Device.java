package dev.atelier.diffusion.onnx;

import dev.atelier.core.AtelierException;
import java.util.Locale;

/** Where sessions run. */
public enum Device {
    CPU, CUDA;

    public static Device parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "cpu" -> CPU;
            case "cuda", "gpu" -> CUDA;
            default -> throw new AtelierException("unknown device '" + text + "': use cpu or cuda");
        };
    }
}
