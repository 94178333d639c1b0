package dev.atelier.app.cli;

import dev.atelier.app.server.AtelierServer;
import dev.atelier.app.config.UserSettings;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.Device;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.llm.ChatModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code atelier serve}: the pipeline (and optionally a planner) behind HTTP until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run Atelier as an HTTP service (REST, OpenAI-compatible endpoints, web UI).",
        footer = {"",
                "Endpoints: GET / (web page), GET /health, POST /api/generate[?stream=true], POST /api/jobs,",
                "  GET /api/jobs/{id}/events, DELETE /api/jobs/{id}, POST /api/plan (with --llm), POST /v1/images/generations, GET /v1/models.",
                "",
                "Example:",
                "  atelier serve                          # the configured models (see atelier config)",
                "  atelier serve --model ./sd15 --port 7860"})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Mixin
    PullOption pull;

    @Mixin
    LlmOption llm;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7860", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "8",
            description = "Renders that may wait behind the running one; more are refused with 429 (default ${DEFAULT-VALUE}).")
    int queue;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws InterruptedException {
        if (queue < 1) throw new AtelierException("--queue must be at least 1, got " + queue);
        if (port < 0 || port > 65535) throw new AtelierException("--port must be from 0 to 65535, got " + port);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String modelSpec = model.orDefault(UserSettings.Key.MODEL);
        String llmSpec = llm.orDefault();
        ModelsCommand.ensureAvailable(List.of(modelSpec, PlanCommand.hubModelOf(llmSpec)), pull.yes, err);
        Path modelDir = ModelsCommand.resolveForUse(modelSpec, pull.yes, err);
        PipelineSettings settings = device.pipelineSettings();
        ChatModel chat = PlanCommand.openLanguageModel(llmSpec, pull.yes);
        CountDownLatch stopped = new CountDownLatch(1);
        try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(modelDir, settings);
             AtelierServer server = AtelierServer.start(pipeline, modelDir, chat, new AtelierServer.Settings(host, port, queue))) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "atelier-serve-shutdown"));
            out.printf("Atelier serving %s at http://%s:%d/ (Ctrl+C stops)%n", pipeline.directory().name(), host, server.port());
            out.flush();
            stopped.await();
        } finally {
            if (chat != null) chat.close();
        }
        return 0;
    }
}
