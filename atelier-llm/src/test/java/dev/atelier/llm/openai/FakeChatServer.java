package dev.atelier.llm.openai;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback server that answers /v1/chat/completions with scripted responses and records every request. */
final class FakeChatServer implements AutoCloseable {

    record Recorded(String method, String path, String query, Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (var e : headers.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue().getFirst();
            return null;
        }
    }

    /** One scripted reply: status, headers, body chunks (each flushed separately, for streams). */
    record Reply(int status, Map<String, String> headers, List<String> chunks) {
        static Reply json(int status, String body) { return new Reply(status, Map.of("Content-Type", "application/json"), List.of(body)); }
        static Reply sse(String... events) {
            return new Reply(200, Map.of("Content-Type", "text/event-stream"), List.of(events));
        }
    }

    /** A chunk "pause:N" sends nothing for N milliseconds. */
    static final String PAUSE = "pause:";

    private final HttpServer server;
    private final Deque<Reply> replies = new ArrayDeque<>();
    final List<Recorded> requests = new CopyOnWriteArrayList<>();

    FakeChatServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    URI baseUrl() { return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1"); }

    synchronized FakeChatServer then(Reply reply) {
        replies.add(reply);
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Recorded(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getQuery(),
                Map.copyOf(ex.getRequestHeaders()), body));
        Reply reply;
        synchronized (this) {
            reply = replies.isEmpty() ? Reply.json(500, "{\"error\":{\"message\":\"no scripted reply\"}}") : replies.poll();
        }
        reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(reply.status(), 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (String chunk : reply.chunks()) {
                if (chunk.startsWith(PAUSE)) {
                    sleep(Long.parseLong(chunk.substring(PAUSE.length())));
                    continue;
                }
                out.write(chunk.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException clientWentAway) {
            // the client closed the connection; nothing more to send
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() { server.stop(0); }
}
