package dev.atelier.bench.server;

import dev.atelier.app.server.AtelierServer;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code atelier serve} under a client population, on the analytic toy pipeline (64×64, a few steps): requests per
 * second and latency percentiles of renders ({@code POST /api/generate}) and of {@code GET /health} at 4, 16 and 64
 * closed-loop clients, then the server-side memory and threads each waiting event-stream subscriber costs (raw
 * sockets that subscribe and never read). Client and server share this JVM; the figures compare builds, they are
 * not capacity numbers. Arguments: [seconds per level=5] [subscribers=200].
 */
public final class ServerLoadBenchmark {
    private static final int[] CLIENTS = {4, 16, 64};

    private ServerLoadBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int subscribers = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path dir = Files.createTempDirectory("atelier-bench-serve-");
        ToyPipeline.write(dir, Spec.sd15());
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger gated = new AtomicInteger();
        Runnable hold = () -> { // only the job the subscriber test makes waits at the gate
            if (gated.get() == 1) {
                try {
                    gate.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(dir, PipelineSettings.defaults());
             AtelierServer server = AtelierServer.start(pipeline, dir, null, new AtelierServer.Settings("127.0.0.1", 0, 64, hold))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(20)).build();
            HttpRequest render = HttpRequest.newBuilder(URI.create(base + "/api/generate")).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a red cat\", \"steps\": 4, \"guidance\": 1, \"previewEvery\": 0}")).build();
            HttpRequest health = HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(120)).GET().build();
            load(http, render, 8, 2); // warm-up: JIT, ONNX arenas
            load(http, health, 8, 2);
            System.out.println("workload  clients  requests/s   p50 ms   p95 ms   p99 ms  non-200");
            for (int clients : CLIENTS) report("render", clients, load(http, render, clients, seconds));
            for (int clients : CLIENTS) report("health", clients, load(http, health, clients, seconds));
            gated.set(1);
            subscriberCost(http, base, server.port(), subscribers, gated);
            gate.countDown();
        }
    }

    private record Run(int requests, int failures, double seconds, long[] nanos) {}

    /** {@code clients} threads send {@code request} back to back for {@code seconds}. */
    private static Run load(HttpClient http, HttpRequest request, int clients, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<List<Long>>> results = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> {
                List<Long> times = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (response.statusCode() != 200) failures.incrementAndGet();
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    }
                    times.add(System.nanoTime() - t0);
                }
                return times;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : results) all.addAll(f.get());
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long[] nanos = all.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(nanos);
        return new Run(nanos.length, failures.get(), elapsed, nanos);
    }

    private static void report(String workload, int clients, Run run) {
        System.out.printf(Locale.ROOT, "%-8s  %7d  %10.1f  %7.1f  %7.1f  %7.1f  %7d%n", workload, clients, run.requests() / run.seconds(),
                percentile(run.nanos(), 50), percentile(run.nanos(), 95), percentile(run.nanos(), 99), run.failures());
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) return Double.NaN;
        int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /**
     * Submits one job that waits at the gate, subscribes {@code n} raw sockets to its events without ever reading,
     * and reports the server's heap, resident memory and thread count before and after, per subscriber.
     */
    private static void subscriberCost(HttpClient http, String base, int port, int n, AtomicInteger gated) throws Exception {
        HttpRequest submit = HttpRequest.newBuilder(URI.create(base + "/api/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"blue\", \"steps\": 2, \"guidance\": 1}")).build();
        String body = http.send(submit, HttpResponse.BodyHandlers.ofString()).body();
        String id = body.replaceAll(".*\"id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        Thread.sleep(500);
        long heap0 = heapAfterGc();
        long rss0 = rssBytes();
        int threads0 = ManagementFactory.getThreadMXBean().getThreadCount();
        List<Socket> sockets = new ArrayList<>();
        byte[] get = ("GET /api/jobs/" + id + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setReceiveBufferSize(4096);
            OutputStream out = socket.getOutputStream();
            out.write(get);
            out.flush();
            sockets.add(socket);
        }
        Thread.sleep(3000); // let the server take every subscription
        long heap1 = heapAfterGc();
        long rss1 = rssBytes();
        int threads1 = ManagementFactory.getThreadMXBean().getThreadCount();
        long t0 = System.nanoTime();
        int healthStatus = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
        double healthMs = (System.nanoTime() - t0) / 1e6;
        System.out.printf(Locale.ROOT, "%d never-reading subscribers: heap %+.1f KiB, RSS %+.1f KiB, threads %+.2f per subscriber;"
                        + " /health then answered %d in %.1f ms%n", n, (heap1 - heap0) / 1024.0 / n, (rss1 - rss0) / 1024.0 / n,
                (threads1 - threads0) / (double) n, healthStatus, healthMs);
        gated.set(0);
        for (Socket socket : sockets) socket.close();
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        return -1;
    }
}
