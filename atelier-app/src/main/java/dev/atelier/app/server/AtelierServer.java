package dev.atelier.app.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.llm.ChatModel;
import dev.atelier.planner.PlanRequest;
import dev.atelier.planner.PlanResult;
import dev.atelier.planner.Planner;
import dev.atelier.planner.PlannerSettings;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atelier over HTTP: a REST API ({@code /api/...}) with server-sent progress events, OpenAI-compatible image endpoints
 * ({@code /v1/...}) and a small web page at {@code /}. One pipeline, renders one at a time through a bounded queue.
 * <p>
 * No request thread waits for a render or an event: waiting answers and event streams are asynchronous (Javalin
 * futures over servlet async I/O), so a crowd of slow or idle clients costs memory per connection, not threads. A
 * client that hangs up releases its job, which is cancelled when nobody else wants it.
 */
public final class AtelierServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AtelierServer.class);
    private static final String JSON = "application/json";

    /**
     * How the server copes with many clients: event subscribers per job and in all, the bytes of finished jobs kept
     * for late subscribers, the connector's accept queue, its idle timeout and the time a new connection has to send
     * its first request's headers, the request threads (the pool shrinks back to {@code minThreads} after a burst,
     * {@code threadIdleMillis} after it) and the keep-alive period of event streams.
     */
    public record Tuning(int subscribersPerJob, int subscribersTotal, long keptBytes, int acceptQueue, long idleTimeoutMillis,
                         long headerTimeoutMillis, int minThreads, int maxThreads, int threadIdleMillis, long keepAliveMillis) {
        public static final Tuning DEFAULTS = new Tuning(64, 1024, Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4),
                4096, 30_000, 10_000, 4, 200, 30_000, 15_000);

        public Tuning {
            if (subscribersPerJob < 1 || subscribersTotal < 1) throw new IllegalArgumentException("subscriber limits must be at least 1");
            if (minThreads < 1 || maxThreads < minThreads + 4) {
                throw new IllegalArgumentException("the request threads must be at least 1 and at most 4 below the maximum");
            }
        }

        public Tuning withSubscribers(int perJob, int total) {
            return new Tuning(perJob, total, keptBytes, acceptQueue, idleTimeoutMillis, headerTimeoutMillis, minThreads,
                    maxThreads, threadIdleMillis, keepAliveMillis);
        }

        public Tuning withKeptBytes(long bytes) {
            return new Tuning(subscribersPerJob, subscribersTotal, bytes, acceptQueue, idleTimeoutMillis, headerTimeoutMillis,
                    minThreads, maxThreads, threadIdleMillis, keepAliveMillis);
        }

        public Tuning withTimeouts(long idleMillis, long headerMillis, long keepAlive) {
            return new Tuning(subscribersPerJob, subscribersTotal, keptBytes, acceptQueue, idleMillis, headerMillis,
                    minThreads, maxThreads, threadIdleMillis, keepAlive);
        }

        public Tuning withThreads(int min, int max, int idleMillis) {
            return new Tuning(subscribersPerJob, subscribersTotal, keptBytes, acceptQueue, idleTimeoutMillis,
                    headerTimeoutMillis, min, max, idleMillis, keepAliveMillis);
        }
    }

    /** Where and how the server runs; {@code beforeEachRender} runs on the worker before every job (tests block it). */
    public record Settings(String host, int port, int queueCapacity, Runnable beforeEachRender, Tuning tuning) {
        public static final int DEFAULT_PORT = 7860;
        public static final int DEFAULT_QUEUE = 8;

        public Settings {
            if (queueCapacity < 1) throw new IllegalArgumentException("the queue must hold at least 1 job, got " + queueCapacity);
            if (beforeEachRender == null) beforeEachRender = () -> {};
            if (tuning == null) tuning = Tuning.DEFAULTS;
        }

        public Settings(String host, int port, int queueCapacity, Runnable beforeEachRender) {
            this(host, port, queueCapacity, beforeEachRender, Tuning.DEFAULTS);
        }

        public Settings(String host, int port, int queueCapacity) {
            this(host, port, queueCapacity, null, Tuning.DEFAULTS);
        }

        public Settings withTuning(Tuning tuning) {
            return new Settings(host, port, queueCapacity, beforeEachRender, tuning);
        }
    }

    private final RenderQueue queue;
    private final Responses responses;
    private final RequestParser parser;
    private final Planner planner;
    private final Tuning tuning;
    private final long startedSeconds = System.currentTimeMillis() / 1000;
    private final QueuedThreadPool requestThreads;
    private final ScheduledExecutorService timer;
    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger subscribers = new AtomicInteger();
    private final Javalin app;

    private AtelierServer(RenderQueue.Renderer renderer, RequestDefaults defaults, String modelName, ChatModel llm, Settings settings) {
        this.tuning = settings.tuning();
        this.responses = new Responses(modelName);
        this.parser = new RequestParser(defaults);
        this.queue = new RenderQueue(renderer, responses, settings.queueCapacity(), tuning.keptBytes(), settings.beforeEachRender());
        this.planner = llm == null ? null : Planner.over(llm, PlannerSettings.DEFAULTS);
        this.requestThreads = new QueuedThreadPool(tuning.maxThreads(), tuning.minThreads(), tuning.threadIdleMillis());
        requestThreads.setName("atelier-http");
        requestThreads.setMaxEvictCount(tuning.maxThreads()); // after a burst, every idle thread may go in one idle period
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("atelier-timer").daemon(true).unstarted(r));
        timer.scheduleWithFixedDelay(() -> streams.forEach(EventStream::keepAlive), tuning.keepAliveMillis(),
                tuning.keepAliveMillis(), TimeUnit.MILLISECONDS);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.asyncTimeout = 0; // a render may wait long in the queue; a gone client is noticed by its connection
            config.jetty.threadPool = requestThreads;
            config.jetty.addConnector((server, http) -> connector(server, http, settings));
            config.requestLogger.http((ctx, ms) -> log.info("{} {} -> {} ({} ms)", ctx.method(), ctx.path(), ctx.status().getCode(), ms.longValue()));
            config.routes.get("/", this::page);
            config.routes.get("/health", this::health);
            config.routes.post("/api/generate", this::generate);
            config.routes.post("/api/jobs", this::submitJob);
            config.routes.get("/api/jobs/{id}/events", this::jobEvents);
            config.routes.delete("/api/jobs/{id}", this::cancelJob);
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
     * The listening connector, sized for bursts: a deep accept queue (the JDK's default of 50 overflows), an idle
     * timeout, and a deadline for a new connection's first request headers that ends clients trickling them.
     */
    private ServerConnector connector(Server server, HttpConfiguration http, Settings settings) {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setAcceptQueueSize(tuning.acceptQueue());
        connector.setIdleTimeout(tuning.idleTimeoutMillis());
        Map<Connection, ScheduledFuture<?>> deadlines = new ConcurrentHashMap<>();
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                deadlines.put(connection, timer.schedule(() -> {
                    deadlines.remove(connection);
                    if (connection.getMessagesIn() == 0 && connection.getEndPoint().isOpen()) {
                        log.info("closing a connection from {} that sent no complete request in {} ms",
                                connection.getEndPoint().getRemoteSocketAddress(), tuning.headerTimeoutMillis());
                        connection.getEndPoint().close();
                    }
                }, tuning.headerTimeoutMillis(), TimeUnit.MILLISECONDS));
            }

            @Override
            public void onClosed(Connection connection) {
                ScheduledFuture<?> deadline = deadlines.remove(connection);
                if (deadline != null) deadline.cancel(false);
            }
        });
        return connector;
    }

    /**
     * Starts serving {@code pipeline} (loaded from {@code modelDir}); {@code llm} null leaves {@code /api/plan} off.
     * Port 0 picks a free port: see {@link #port()}.
     */
    public static AtelierServer start(StableDiffusionPipeline pipeline, java.nio.file.Path modelDir, ChatModel llm, Settings settings) {
        RequestDefaults defaults = new RequestDefaults(modelDir.toAbsolutePath().normalize().toString(),
                pipeline.directory().defaultImageSize(), pipeline.defaultScheduler(),
                pipeline.samplingDefaults());
        return start(pipeline::generate, defaults, pipeline.directory().name(), llm, settings);
    }

    /** Starts serving any renderer (tests use one that fails). */
    static AtelierServer start(RenderQueue.Renderer renderer, RequestDefaults defaults, String modelName, ChatModel llm, Settings settings) {
        AtelierServer server = new AtelierServer(renderer, defaults, modelName, llm, settings);
        try {
            server.app.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.info("serving {} at http://{}:{}/", modelName, settings.host(), server.port());
        return server;
    }

    public int port() { return app.port(); }

    /** Request threads alive now (tests watch them shrink back after a burst). */
    int requestThreads() { return requestThreads.getThreads(); }

    int minRequestThreads() { return requestThreads.getMinThreads(); }

    RenderQueue queue() { return queue; }

    @Override
    public void close() {
        queue.close();
        app.stop();
        timer.shutdownNow();
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
        node.put("subscribers", subscribers.get());
        node.put("keptJobs", queue.keptJobs());
        node.put("keptBytes", queue.keptBytes());
        node.put("planner", planner != null);
        json(ctx, 200, node);
    }

    private void generate(Context ctx) {
        RequestParser.Generate parsed = parser.generate(ctx.body());
        if ("true".equalsIgnoreCase(ctx.queryParam("stream"))) {
            reserveSubscriber();
            RenderJob job;
            try {
                job = queue.submit(parsed.request(), parsed.previewEvery(), RenderJob.Shape.ATELIER, 1, false);
            } catch (RuntimeException e) {
                subscribers.decrementAndGet();
                throw e;
            }
            job.addSubscriber(tuning.subscribersPerJob());
            stream(ctx, job);
            return;
        }
        answerWhenDone(ctx, queue.submit(parsed.request(), parsed.previewEvery(), RenderJob.Shape.ATELIER, 1, false));
    }

    /** Queues a render and answers at once with its id; its events are at {@code /api/jobs/{id}/events}. */
    private void submitJob(Context ctx) {
        RequestParser.Generate parsed = parser.generate(ctx.body());
        RenderJob job = queue.submit(parsed.request(), parsed.previewEvery(), RenderJob.Shape.ATELIER, 0, true);
        ObjectNode node = Responses.JSON.createObjectNode();
        node.put("id", job.id());
        node.put("events", "/api/jobs/" + job.id() + "/events");
        json(ctx, 202, node);
    }

    private RenderJob knownJob(Context ctx) {
        RenderJob job = queue.job(ctx.pathParam("id"));
        if (job == null) throw ApiException.notFound("no job " + ctx.pathParam("id") + " (finished jobs are kept for a while only)");
        return job;
    }

    private void jobEvents(Context ctx) {
        RenderJob job = knownJob(ctx);
        reserveSubscriber();
        if (!job.addSubscriber(tuning.subscribersPerJob())) {
            subscribers.decrementAndGet();
            throw ApiException.tooMany("too_many_subscribers", "job " + job.id() + " already has " + tuning.subscribersPerJob()
                    + " event subscribers; retry later");
        }
        job.hold();
        stream(ctx, job);
    }

    /** {@code DELETE /api/jobs/{id}}: a waiting job leaves the queue, a running one stops at its next step. */
    private void cancelJob(Context ctx) {
        RenderJob job = knownJob(ctx);
        boolean wasOpen = !job.finished();
        if (wasOpen) queue.cancel(job, "DELETE " + ctx.path());
        ObjectNode node = Responses.JSON.createObjectNode();
        node.put("id", job.id());
        node.put("cancelled", wasOpen);
        json(ctx, 200, node);
    }

    /** Takes one place among all event subscribers, or refuses with 429. */
    private void reserveSubscriber() {
        if (subscribers.incrementAndGet() > tuning.subscribersTotal()) {
            subscribers.decrementAndGet();
            throw ApiException.tooMany("too_many_subscribers", "the server already streams to " + tuning.subscribersTotal()
                    + " subscribers; retry later");
        }
    }

    /**
     * Streams the job's events as server-sent events without holding a thread. The caller has taken a subscriber
     * place and a hold on the job for this connection; both are given back when the stream ends.
     */
    private void stream(Context ctx, RenderJob job) {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        ctx.res().setHeader("Connection", "close"); // see watchForHangUp
        ctx.future(() -> {
            try {
                EventStream stream = new EventStream(job, ctx.res().getOutputStream(), this::streamEnded);
                ctx.req().getAsyncContext().addListener(stream);
                streams.add(stream);
                stream.start();
                watchForHangUp(ctx, () -> stream.done().isDone(), stream::hungUp);
                return stream.done();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void streamEnded(EventStream stream, boolean delivered) {
        if (!streams.remove(stream)) return;
        subscribers.decrementAndGet();
        stream.job().removeSubscriber();
        if (!delivered) {
            log.info("event stream of job {} closed by the client", stream.job().id());
            queue.release(stream.job());
        }
    }

    /**
     * Answers with the job's last event once it is done, holding no thread meanwhile; a client that hangs up first
     * releases the job.
     */
    private void answerWhenDone(Context ctx, RenderJob job) {
        ctx.header("Connection", "close"); // see watchForHangUp
        ctx.future(() -> {
            AtomicBoolean released = new AtomicBoolean();
            Runnable gone = () -> {
                if (released.compareAndSet(false, true) && !job.finished()) {
                    log.info("the client waiting for job {} hung up", job.id());
                    queue.release(job);
                }
            };
            ctx.req().getAsyncContext().addListener(new AsyncListener() {
                @Override public void onComplete(AsyncEvent event) {}
                @Override public void onTimeout(AsyncEvent event) { gone.run(); }
                @Override public void onError(AsyncEvent event) { gone.run(); }
                @Override public void onStartAsync(AsyncEvent event) {}
            });
            watchForHangUp(ctx, job::finished, gone);
            // answered on a request thread: the worker that finished the job must not write to a slow client
            CompletableFuture<Void> answered = new CompletableFuture<>(); // left open when the client is gone
            job.done().thenAcceptAsync(last -> {
                if (released.get()) return;
                try {
                    if (last.status() == 429) ctx.header("Retry-After", Integer.toString(QueueFullException.RETRY_AFTER_SECONDS));
                    ctx.status(last.status()).contentType(JSON)
                            .result(new ByteArrayInputStream(last.frame(), last.dataOffset(), last.dataLength()));
                    answered.complete(null);
                } catch (RuntimeException e) {
                    answered.completeExceptionally(e);
                }
            }, requestThreads);
            return answered;
        });
    }

    /**
     * Calls {@code gone} when the client closes its connection while it waits. Jetty notices a closed connection
     * only when it reads or writes, and while a request waits asynchronously it does neither; so this asks to be told
     * when the connection becomes readable. A client that waits for its answer sends nothing more, so readable means
     * it hung up; should it send a pipelined request instead, watching stops (the answer closes the connection, so
     * that request is dropped and the client sends it again).
     */
    private void watchForHangUp(Context ctx, java.util.function.BooleanSupplier over, Runnable gone) {
        EndPoint endPoint = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection().getEndPoint();
        if (endPoint.isInputShutdown() || !endPoint.isOpen()) {
            gone.run();
            return;
        }
        ByteBuffer probe = BufferUtil.allocate(64);
        endPoint.tryFillInterested(Callback.from(() -> {
            if (over.getAsBoolean()) return;
            try {
                int read = endPoint.fill(probe);
                if (read < 0) {
                    gone.run();
                    endPoint.close(); // so that Jetty ends the request now, not at the idle timeout
                } else if (read == 0) watchForHangUp(ctx, over, gone);
            } catch (IOException | RuntimeException e) {
                gone.run();
            }
        }, failure -> {
            if (!over.getAsBoolean()) gone.run();
        }));
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

    private void openAiGenerate(Context ctx) {
        GenerationRequest request = parser.openAi(ctx.body());
        answerWhenDone(ctx, queue.submit(request, 0, RenderJob.Shape.OPENAI, 1, false));
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

    private void fail(Context ctx, Exception e) {
        ApiException error = Responses.asApiError(e);
        if (error.status() == 500 && !(e instanceof ApiException)) { // a failed render was logged by the worker
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
        } else {
            log.info("{} {} -> {}: {}", ctx.method(), ctx.path(), error.status(), error.getMessage());
        }
        if (error.status() == 429) ctx.header("Retry-After", Integer.toString(QueueFullException.RETRY_AFTER_SECONDS));
        ctx.status(error.status()).contentType(JSON).result(responses.error(error));
    }

    private static void json(Context ctx, int status, Object node) {
        ctx.status(status).contentType(JSON).result(Responses.write(node));
    }
}
