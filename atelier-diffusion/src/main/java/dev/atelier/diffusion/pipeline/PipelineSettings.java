package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.onnx.SessionSettings;
import java.nio.file.Path;

/**
 * How a pipeline runs (not what it renders): ONNX Runtime session options, VAE tiling, and an optional TAESD decoder
 * ONNX file for step previews (null: the linear approximation).
 */
public record PipelineSettings(SessionSettings sessions, VaeTiling vaeTiling, Path taesdDecoder) {

    public static PipelineSettings defaults() {
        return new PipelineSettings(SessionSettings.defaults(), VaeTiling.defaults(), null);
    }

    public PipelineSettings withSessions(SessionSettings s) { return new PipelineSettings(s, vaeTiling, taesdDecoder); }

    public PipelineSettings withVaeTiling(VaeTiling t) { return new PipelineSettings(sessions, t, taesdDecoder); }

    public PipelineSettings withTaesdDecoder(Path p) { return new PipelineSettings(sessions, vaeTiling, p); }
}
