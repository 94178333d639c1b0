package dev.atelier.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against a population of real loopback clients, on the analytic toy pipeline: idle subscribers, clients
 * that hang up, a burst of connections, a client trickling its headers, and many renders in a row. Every wait is
 * bounded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerUnderLoadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path model;
    static StableDiffusionPipeline pipeline;
    static RequestDefaults defaults;
    static HttpClient http;

    @BeforeAll
    static void load() throws Exception {
        model = ToyPipeline.write(tmp.resolve("toy-sd15"), Spec.sd15());
        pipeline = StableDiffusionPipeline.load(model, PipelineSettings.defaults());
        defaults = new RequestDefaults(model.toAbsolutePath().toString(), 64, pipeline.defaultScheduler(), pipeline.samplingDefaults());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(20)).build();
    }

    @AfterAll
    static void unload() {
        if (pipeline != null) pipeline.close();
    }

    /** Steps each prompt ran and when each first stepped, seen from inside the renderer. */
    private static final class Recorder {
        final Map<String, AtomicInteger> steps = new ConcurrentHashMap<>();
        final Map<String, Long> firstStepNanos = new ConcurrentHashMap<>();
        volatile long stepMillis;

        RenderQueue.Renderer over(StableDiffusionPipeline pipeline) {
            return (request, callback) -> pipeline.generate(request, event -> {
                steps.computeIfAbsent(request.prompt(), p -> new AtomicInteger()).incrementAndGet();
                firstStepNanos.putIfAbsent(request.prompt(), System.nanoTime());
                if (stepMillis > 0) {
                    try {
                        Thread.sleep(stepMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return callback.onStep(event);
            });
        }

        int steps(String prompt) {
            AtomicInteger n = steps.get(prompt);
            return n == null ? 0 : n.get();
        }
    }

    private static AtelierServer start(RenderQueue.Renderer renderer, int queue, Runnable beforeEachRender, AtelierServer.Tuning tuning) {
        return AtelierServer.start(renderer, defaults, "toy-sd15", null,
                new AtelierServer.Settings("127.0.0.1", 0, queue, beforeEachRender, tuning));
    }

    private static URI uri(AtelierServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> get(AtelierServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(AtelierServer server, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode health(AtelierServer server) throws Exception {
        return JSON.readTree(get(server, "/health").body());
    }

    private static void await(String what, BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(10);
        }
    }

    private static boolean check(Callable condition) {
        try {
            return condition.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private interface Callable {
        boolean call() throws Exception;
    }

    /** A raw HTTP/1.1 client: sends one request and reads the answer line by line, or never reads at all. */
    private static final class RawClient implements AutoCloseable {
        final Socket socket = new Socket();
        BufferedReader reader;

        RawClient(AtelierServer server, String method, String path, String body, int receiveBuffer) throws IOException {
            if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 20_000);
            socket.setSoTimeout(30_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
        }

        /** Reads until an event of this name has come {@code times} times; returns the data lines of every event read. */
        List<String> readUntil(String event, int times) throws IOException {
            if (reader == null) reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            List<String> seen = new ArrayList<>();
            int count = 0;
            String name = null;
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("event: ")) name = line.substring(7);
                if (line.startsWith("data: ")) {
                    seen.add(name + " " + line.substring(6));
                    if (name.equals(event) && ++count == times) return seen;
                }
            }
            throw new IOException("the stream ended before " + times + " " + event + " events: " + seen);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String idOf(String queuedLine) throws IOException {
        return JSON.readTree(queuedLine.substring(queuedLine.indexOf(' ') + 1)).get("id").asText();
    }

    @Test
    void neverReadingSubscribersHoldNoThreadsWhileHealthStaysFastAndARenderCompletes() throws Exception {
        int subscribers = 300;
        CountDownLatch gate = new CountDownLatch(1);
        Runnable firstWaits = () -> {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        AtelierServer.Tuning tuning = AtelierServer.Tuning.DEFAULTS.withSubscribers(subscribers, subscribers + 10);
        try (AtelierServer server = start(new Recorder().over(pipeline), 4, firstWaits, tuning)) {
            String id = JSON.readTree(send(server, "POST", "/api/jobs",
                    "{\"prompt\": \"red\", \"steps\": 20, \"guidance\": 1, \"previewEvery\": 1}").body()).get("id").asText();
            int threadsBefore = server.requestThreads();
            List<RawClient> idle = new ArrayList<>();
            try {
                for (int i = 0; i < subscribers; i++) idle.add(new RawClient(server, "GET", "/api/jobs/" + id + "/events", null, 1024));
                await("every subscriber is taken", () -> check(() -> health(server).get("subscribers").asInt() == subscribers), 30_000);

                long[] healthMillis = new long[21];
                for (int i = 0; i < healthMillis.length; i++) {
                    long t0 = System.nanoTime();
                    assertThat(get(server, "/health").statusCode()).isEqualTo(200);
                    healthMillis[i] = (System.nanoTime() - t0) / 1_000_000;
                }
                Arrays.sort(healthMillis);
                assertThat(healthMillis[healthMillis.length / 2]).as("median /health ms " + Arrays.toString(healthMillis)).isLessThan(100);
                // each subscriber held a request thread before; now a few serve them all
                assertThat(server.requestThreads()).as("request threads with " + subscribers + " idle subscribers")
                        .isLessThan(threadsBefore + subscribers / 4);

                var over = get(server, "/api/jobs/" + id + "/events");
                assertThat(over.statusCode()).isEqualTo(429);
                assertThat(over.headers().firstValue("Retry-After")).isPresent();

                gate.countDown();
                var render = send(server, "POST", "/api/generate", "{\"prompt\": \"blue\", \"steps\": 2, \"guidance\": 1}");
                assertThat(render.statusCode()).as(render.body()).isEqualTo(200);
            } finally {
                gate.countDown();
                for (RawClient client : idle) client.close();
            }
            await("the subscribers are gone", () -> check(() -> health(server).get("subscribers").asInt() == 0), 30_000);
        }
    }

    @Test
    void subscribersBeyondTheTotalAreRefusedWith429AndAStreamedRenderIsNotQueued() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Runnable waitForGate = () -> {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (AtelierServer server = start(new Recorder().over(pipeline), 4, waitForGate, AtelierServer.Tuning.DEFAULTS.withSubscribers(10, 2))) {
            String id = JSON.readTree(send(server, "POST", "/api/jobs", "{\"prompt\": \"red\", \"steps\": 1, \"guidance\": 1}").body())
                    .get("id").asText();
            try (RawClient one = new RawClient(server, "GET", "/api/jobs/" + id + "/events", null, 0);
                 RawClient two = new RawClient(server, "GET", "/api/jobs/" + id + "/events", null, 0)) {
                one.readUntil("queued", 1);
                two.readUntil("queued", 1);

                // The first job may still be waiting for the worker to take it: count what waits before, not zero.
                int waitingBefore = health(server).get("waiting").asInt();
                var third = get(server, "/api/jobs/" + id + "/events");
                var streamed = send(server, "POST", "/api/generate?stream=true", "{\"prompt\": \"blue\", \"steps\": 1, \"guidance\": 1}");

                for (var refused : List.of(third, streamed)) {
                    assertThat(refused.statusCode()).isEqualTo(429);
                    assertThat(refused.headers().firstValue("Retry-After")).contains(Integer.toString(QueueFullException.RETRY_AFTER_SECONDS));
                    assertThat(JSON.readTree(refused.body()).get("error").get("code").asText()).isEqualTo("too_many_subscribers");
                }
                assertThat(health(server).get("waiting").asInt()).as("the refused stream queued nothing").isLessThanOrEqualTo(waitingBefore);
            } finally {
                gate.countDown();
            }
        }
    }

    @Test
    void aClientThatHangsUpMidRenderFreesTheWorkerWithinAStepAndTheNextJobStartsAtOnce() throws Exception {
        Recorder recorder = new Recorder();
        recorder.stepMillis = 50;
        try (AtelierServer server = start(recorder.over(pipeline), 4, null, AtelierServer.Tuning.DEFAULTS)) {
            RawClient leaving = new RawClient(server, "POST", "/api/generate?stream=true",
                    "{\"prompt\": \"red\", \"steps\": 200, \"guidance\": 1, \"previewEvery\": 0}", 0);
            leaving.readUntil("progress", 3);
            var next = send(server, "POST", "/api/jobs", "{\"prompt\": \"green\", \"steps\": 3, \"guidance\": 1}");
            assertThat(next.statusCode()).isEqualTo(202);

            int stepsAtHangUp = recorder.steps("red");
            long hungUp = System.nanoTime();
            leaving.close();
            await("the next job starts", () -> recorder.firstStepNanos.containsKey("green"), 10_000);

            long waitedMillis = (recorder.firstStepNanos.get("green") - hungUp) / 1_000_000;
            assertThat(recorder.steps("red")).as("steps run after the hang-up").isLessThanOrEqualTo(stepsAtHangUp + 2);
            assertThat(waitedMillis).as("ms from hang-up to the next job's first step").isLessThan(1_000);
        }
    }

    @Test
    void aQueuedJobWhoseClientsHaveAllGoneLeavesTheQueueButOneStillWatchedKeepsItsPlace() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Recorder recorder = new Recorder();
        Runnable waitForGate = () -> {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (AtelierServer server = start(recorder.over(pipeline), 4, waitForGate, AtelierServer.Tuning.DEFAULTS)) {
            var running = http.sendAsync(HttpRequest.newBuilder(uri(server, "/api/generate")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"white\", \"steps\": 1, \"guidance\": 1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            await("the first job runs", () -> check(() -> health(server).get("busy").asBoolean()), 10_000);

            RawClient plain = new RawClient(server, "POST", "/api/generate", "{\"prompt\": \"red\", \"steps\": 1, \"guidance\": 1}", 0);
            RawClient streamA = new RawClient(server, "POST", "/api/generate?stream=true", "{\"prompt\": \"blue\", \"steps\": 2, \"guidance\": 1}", 0);
            String blueId = idOf(streamA.readUntil("queued", 1).getFirst());
            RawClient streamB = new RawClient(server, "GET", "/api/jobs/" + blueId + "/events", null, 0);
            streamB.readUntil("queued", 1);
            await("two wait", () -> check(() -> health(server).get("waiting").asInt() == 2), 10_000);

            plain.close();
            streamA.close(); // blue is still watched by B
            await("the abandoned job leaves the queue", () -> check(() -> health(server).get("waiting").asInt() == 1), 5_000);

            gate.countDown();
            assertThat(running.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            List<String> events = streamB.readUntil("result", 1);
            assertThat(events.getLast()).startsWith("result ");
            assertThat(recorder.steps("red")).as("the abandoned job never ran").isZero();
            assertThat(recorder.steps("blue")).isEqualTo(2);
            streamB.close();
        }
    }

    @Test
    void deleteCancelsAWaitingOrRunningJobAndItsSubscribersHearWhy() throws Exception {
        Recorder recorder = new Recorder();
        recorder.stepMillis = 50;
        try (AtelierServer server = start(recorder.over(pipeline), 4, null, AtelierServer.Tuning.DEFAULTS)) {
            String runningId = JSON.readTree(send(server, "POST", "/api/jobs", "{\"prompt\": \"red\", \"steps\": 200, \"guidance\": 1}").body())
                    .get("id").asText();
            String waitingId = JSON.readTree(send(server, "POST", "/api/jobs", "{\"prompt\": \"blue\", \"steps\": 2, \"guidance\": 1}").body())
                    .get("id").asText();
            try (RawClient watcher = new RawClient(server, "GET", "/api/jobs/" + runningId + "/events", null, 0)) {
                watcher.readUntil("progress", 2);

                var deleted = send(server, "DELETE", "/api/jobs/" + waitingId, null);
                assertThat(deleted.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(deleted.body()).get("cancelled").asBoolean()).isTrue();
                assertThat(send(server, "DELETE", "/api/jobs/" + runningId, null).statusCode()).isEqualTo(200);

                List<String> rest = watcher.readUntil("error", 1);
                assertThat(JSON.readTree(rest.getLast().substring(6)).get("error").get("code").asText()).isEqualTo("cancelled");
            }
            assertThat(recorder.steps("red")).isLessThan(50);
            assertThat(recorder.steps("blue")).isZero();
            var again = send(server, "DELETE", "/api/jobs/" + runningId, null);
            assertThat(JSON.readTree(again.body()).get("cancelled").asBoolean()).as("already finished").isFalse();
            assertThat(send(server, "DELETE", "/api/jobs/no-such-job", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aBurstOf2000ConcurrentRequestsIsServedWithoutARefusedConnectionAndTheThreadsShrinkBack() throws Exception {
        int clients = 2000;
        AtelierServer.Tuning tuning = AtelierServer.Tuning.DEFAULTS.withThreads(4, 200, 500);
        try (AtelierServer server = start(new Recorder().over(pipeline), 4, null, tuning)) {
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        try (Socket socket = new Socket()) {
                            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 30_000);
                            socket.setSoTimeout(60_000);
                            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                            if (status != null && status.startsWith("HTTP/1.1 200")) ok.incrementAndGet();
                            else failures.add(String.valueOf(status));
                        }
                    } catch (ConnectException e) {
                        refused.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) assertThat(t.join(Duration.ofSeconds(90))).as("a client finished in time").isTrue();

            assertThat(refused.get()).as("refused connections").isZero();
            assertThat(failures).as("failed requests").isEmpty();
            assertThat(ok.get()).isEqualTo(clients);
            await("the request threads shrink back to their minimum",
                    () -> server.requestThreads() <= server.minRequestThreads() + 2, 20_000);
        }
    }

    @Test
    void aClientTricklingItsHeadersIsCutOffAtTheHeaderDeadline() throws Exception {
        AtelierServer.Tuning tuning = AtelierServer.Tuning.DEFAULTS.withTimeouts(30_000, 500, 15_000);
        try (AtelierServer server = start(new Recorder().over(pipeline), 4, null, tuning);
             Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            boolean cut = false;
            try {
                for (int i = 0; i < 100; i++) { // 10 s of one header line every 100 ms, never the blank line
                    out.write(("X-Slow-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(100);
                    socket.setSoTimeout(1);
                    try {
                        if (socket.getInputStream().read() == -1) {
                            cut = true;
                            break;
                        }
                    } catch (java.net.SocketTimeoutException stillOpen) {
                        // nothing to read yet: the connection is still open
                    }
                }
            } catch (IOException reset) {
                cut = true;
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(cut).as("the server closed the connection").isTrue();
            assertThat(millis).as("ms until cut off").isLessThan(3_000);
        }
    }

    @Test
    void heapAfter1000RendersIsWithinTenPercentOfHeapAfter200() throws Exception {
        AtelierServer.Tuning tuning = AtelierServer.Tuning.DEFAULTS.withKeptBytes(1 << 20);
        try (AtelierServer server = start(new Recorder().over(pipeline), 8, null, tuning)) {
            String body = "{\"prompt\": \"a red cat\", \"steps\": 1, \"guidance\": 1, \"previewEvery\": 1}";
            renders(server, body, 200);
            long after200 = heapAfterGc();
            renders(server, body, 800);
            long after1000 = heapAfterGc();
            assertThat((double) after1000).as("heap after 1000 renders vs " + after200 + " bytes after 200")
                    .isLessThanOrEqualTo(after200 * 1.10);
            assertThat(health(server).get("keptBytes").asLong()).isLessThanOrEqualTo(1 << 20);
        }
    }

    /** {@code n} renders by 4 clients at a time, each streamed or answered plainly in turn. */
    private static void renders(AtelierServer server, String body, int n) throws Exception {
        AtomicInteger left = new AtomicInteger(n);
        List<Thread> clients = new ArrayList<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < 4; c++) {
            clients.add(Thread.ofVirtual().start(() -> {
                while (left.getAndDecrement() > 0) {
                    try {
                        String path = left.get() % 2 == 0 ? "/api/generate?stream=true" : "/api/generate";
                        var response = send(server, "POST", path, body);
                        if (response.statusCode() != 200) failures.add(response.statusCode() + " " + response.body());
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        for (Thread t : clients) assertThat(t.join(Duration.ofSeconds(100))).isTrue();
        assertThat(failures).isEmpty();
    }

    private static long heapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            least = Math.min(least, rt.totalMemory() - rt.freeMemory());
        }
        return least;
    }
}
