package dev.atelier.app.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.diffusion.pipeline.GeneratedImage;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.GenerationResult;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.llm.ChatModel;
import dev.atelier.planner.PlanRequest;
import dev.atelier.planner.PlanResult;
import dev.atelier.planner.Planner;
import dev.atelier.planner.PlannerSettings;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atelier over HTTP: a REST API ({@code /api/...}) with server-sent progress events, OpenAI-compatible image endpoints
 * ({@code /v1/...}) and a small web page at {@code /}. One pipeline, renders one at a time through a bounded queue.
 */
public final class AtelierServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AtelierServer.class);
    private static final String JSON = "application/json";
    /** How long an event stream waits for the next event before sending a keep-alive comment. */
    private static final long KEEP_ALIVE_MILLIS = 15_000;

    /** Where and how the server runs; {@code beforeEachRender} runs on the worker before every job (tests block it). */
    public record Settings(String host, int port, int queueCapacity, Runnable beforeEachRender) {
        public static final int DEFAULT_PORT = 7860;
        public static final int DEFAULT_QUEUE = 8;

        public Settings {
            if (queueCapacity < 1) throw new IllegalArgumentException("the queue must hold at least 1 job, got " + queueCapacity);
            if (beforeEachRender == null) beforeEachRender = () -> {};
        }

        public Settings(String host, int port, int queueCapacity) {
            this(host, port, queueCapacity, null);
        }
    }

    private final RenderQueue queue;
    private final Responses responses;
    private final RequestParser parser;
    private final Planner planner;
    private final long startedSeconds = System.currentTimeMillis() / 1000;
    private final Javalin app;

    private AtelierServer(RenderQueue.Renderer renderer, RequestDefaults defaults, String modelName, ChatModel llm, Settings settings) {
        this.responses = new Responses(modelName);
        this.parser = new RequestParser(defaults);
        this.queue = new RenderQueue(renderer, responses, settings.queueCapacity(), settings.beforeEachRender());
        this.planner = llm == null ? null : Planner.over(llm, PlannerSettings.DEFAULTS);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            config.requestLogger.http((ctx, ms) -> log.info("{} {} -> {} ({} ms)", ctx.method(), ctx.path(), ctx.status().getCode(), ms.longValue()));
            config.routes.get("/", this::page);
            config.routes.get("/health", this::health);
            config.routes.post("/api/generate", this::generate);
            config.routes.post("/api/jobs", this::submitJob);
            config.routes.get("/api/jobs/{id}/events", this::jobEvents);
            config.routes.post("/api/plan", this::plan);
            config.routes.post("/v1/images/generations", this::openAiGenerate);
            config.routes.get("/v1/models", this::openAiModels);
            config.routes.exception(Exception.class, (e, ctx) -> fail(ctx, e));
            // Javalin's own errors (unknown endpoint, body too large) answer in the same JSON shape as ours
            config.routes.exception(HttpResponseException.class, (e, ctx) -> fail(ctx, new ApiException(e.getStatus(),
                    "invalid_request_error", e.getStatus() == 404 ? "not_found" : null, e.getMessage())));
        });
    }

    /**
     * Starts serving {@code pipeline} (loaded from {@code modelDir}); {@code llm} null leaves {@code /api/plan} off.
     * Port 0 picks a free port: see {@link #port()}.
     */
    public static AtelierServer start(StableDiffusionPipeline pipeline, java.nio.file.Path modelDir, ChatModel llm, Settings settings) {
        boolean turbo = modelDir.toAbsolutePath().toString().toLowerCase(Locale.ROOT).contains("turbo");
        RequestDefaults defaults = new RequestDefaults(modelDir.toAbsolutePath().normalize().toString(),
                pipeline.directory().defaultImageSize(), pipeline.defaultScheduler(), turbo, pipeline.hasGuidanceEmbedding());
        return start(pipeline::generate, defaults, pipeline.directory().name(), llm, settings);
    }

    /** Starts serving any renderer (tests use one that fails). */
    static AtelierServer start(RenderQueue.Renderer renderer, RequestDefaults defaults, String modelName, ChatModel llm, Settings settings) {
        AtelierServer server = new AtelierServer(renderer, defaults, modelName, llm, settings);
        server.app.start();
        log.info("serving {} at http://{}:{}/", modelName, settings.host(), server.port());
        return server;
    }

    public int port() { return app.port(); }

    @Override
    public void close() {
        app.stop();
        queue.close();
    }

    private void page(Context ctx) throws IOException {
        try (InputStream in = AtelierServer.class.getResourceAsStream("/web/index.html")) {
            if (in == null) throw new IllegalStateException("web/index.html is missing from the classpath");
            ctx.contentType("text/html; charset=utf-8").result(in.readAllBytes());
        }
    }

    private void health(Context ctx) {
        ObjectNode node = Responses.JSON.createObjectNode();
        node.put("status", "ok");
        node.put("model", responses.modelName());
        node.put("busy", queue.busy());
        node.put("waiting", queue.waiting());
        node.put("queueCapacity", queue.capacity());
        node.put("planner", planner != null);
        json(ctx, 200, node);
    }

    private void generate(Context ctx) throws Exception {
        RequestParser.Generate parsed = parser.generate(ctx.body());
        RenderJob job = queue.submit(parsed.request(), parsed.previewEvery());
        if ("true".equalsIgnoreCase(ctx.queryParam("stream"))) {
            stream(ctx, job);
            return;
        }
        GenerationResult result = await(job);
        json(ctx, 200, responses.resultNode(job.id(), result, 0));
    }

    /** Queues a render and answers at once with its id; its events are at {@code /api/jobs/{id}/events}. */
    private void submitJob(Context ctx) {
        RequestParser.Generate parsed = parser.generate(ctx.body());
        RenderJob job = queue.submit(parsed.request(), parsed.previewEvery());
        ObjectNode node = Responses.JSON.createObjectNode();
        node.put("id", job.id());
        node.put("events", "/api/jobs/" + job.id() + "/events");
        json(ctx, 202, node);
    }

    private void jobEvents(Context ctx) throws Exception {
        RenderJob job = queue.job(ctx.pathParam("id"));
        if (job == null) throw ApiException.notFound("no job " + ctx.pathParam("id") + " (finished jobs are kept for a while only)");
        stream(ctx, job);
    }

    /** Writes the job's events as server-sent events until its result or error. */
    private void stream(Context ctx, RenderJob job) throws IOException, InterruptedException {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        int read = 0;
        try {
            while (!job.isFinishedAt(read)) {
                List<RenderJob.Event> events = job.eventsFrom(read, KEEP_ALIVE_MILLIS);
                if (events.isEmpty()) {
                    if (!job.isFinishedAt(read)) out.write(": waiting\n\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    for (RenderJob.Event event : events) {
                        out.write(("event: " + event.name() + "\ndata: " + event.json() + "\n\n").getBytes(StandardCharsets.UTF_8));
                    }
                    read += events.size();
                }
                out.flush();
            }
        } catch (IOException e) {
            log.info("event stream of job {} closed by the client", job.id());
        }
    }

    private void plan(Context ctx) {
        if (planner == null) {
            throw new ApiException(501, "invalid_request_error", "planner_not_configured",
                    "planning needs a language model: restart the server with --llm SPEC");
        }
        String prompt = parser.planPrompt(ctx.body());
        PlanResult result;
        synchronized (planner) { // one chat model, one conversation at a time
            result = planner.plan(PlanRequest.of(prompt));
        }
        ctx.status(200).contentType(JSON).result(PlanJson.write(result.plan()));
    }

    private void openAiGenerate(Context ctx) throws Exception {
        GenerationRequest request = parser.openAi(ctx.body());
        RenderJob job = queue.submit(request, 0);
        GenerationResult result = await(job);
        ObjectNode node = Responses.JSON.createObjectNode();
        node.put("created", System.currentTimeMillis() / 1000);
        ArrayNode data = node.putArray("data");
        for (GeneratedImage image : result.images()) {
            data.addObject().put("b64_json", Base64.getEncoder().encodeToString(responses.png(image)));
        }
        json(ctx, 200, node);
    }

    private void openAiModels(Context ctx) {
        ObjectNode node = Responses.JSON.createObjectNode();
        node.put("object", "list");
        ObjectNode model = node.putArray("data").addObject();
        model.put("id", responses.modelName());
        model.put("object", "model");
        model.put("created", startedSeconds);
        model.put("owned_by", "atelier");
        json(ctx, 200, node);
    }

    private static GenerationResult await(RenderJob job) throws InterruptedException {
        try {
            return job.result().get();
        } catch (ExecutionException e) {
            throw Responses.asApiError(e.getCause());
        }
    }

    private void fail(Context ctx, Exception e) {
        ApiException error = Responses.asApiError(e);
        if (error.status() == 500 && !(e instanceof ApiException)) { // a failed render was logged by the worker
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
        } else {
            log.info("{} {} -> {}: {}", ctx.method(), ctx.path(), error.status(), error.getMessage());
        }
        if ("queue_full".equals(error.code())) ctx.header("Retry-After", Integer.toString(QueueFullException.RETRY_AFTER_SECONDS));
        ctx.status(error.status()).contentType(JSON).result(responses.error(error));
    }

    private static void json(Context ctx, int status, Object node) {
        ctx.status(status).contentType(JSON).result(Responses.write(node));
    }
}
