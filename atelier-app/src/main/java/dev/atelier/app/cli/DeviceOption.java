package dev.atelier.app.cli;

import dev.atelier.diffusion.onnx.Device;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import picocli.CommandLine.Option;

/** {@code --device}, declared once for every command that runs a pipeline. */
final class DeviceOption {

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "cpu or cuda (needs the onnxruntime_gpu build on the classpath). Default: ${DEFAULT-VALUE}.")
    String device;

    PipelineSettings pipelineSettings() {
        return PipelineSettings.defaults().withSessions(SessionSettings.defaults().withDevice(Device.parse(device)));
    }
}
