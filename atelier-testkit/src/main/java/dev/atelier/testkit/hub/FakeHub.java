package dev.atelier.testkit.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A local stand-in for the Hugging Face hub, on 127.0.0.1 with ephemeral ports, for download tests.
 * It behaves like the hub where clients depend on it:
 * <ul>
 *   <li>{@code GET /api/models/ORG/NAME/revision/REV}: {@code sha} and {@code siblings[].rfilename};</li>
 *   <li>{@code HEAD|GET /ORG/NAME/resolve/REV/PATH}: {@code X-Repo-Commit}; plain files answer 200 with
 *       {@code ETag} = git blob sha1; LFS files answer 302 to a separate "CDN" server with {@code X-Linked-Etag} =
 *       SHA-256 and {@code X-Linked-Size};</li>
 *   <li>Range requests (206 with Content-Range, 416 past the end);</li>
 *   <li>gated repositories: 401 without a token, 403 with a token that was not granted access, both with
 *       {@code X-Error-Code: GatedRepo}; 404 with {@code RepoNotFound} / {@code RevisionNotFound} /
 *       {@code EntryNotFound}.</li>
 * </ul>
 * Tests can cut a download short (the connection closes after a given file offset), corrupt a body, and inspect
 * every request received (method, path, headers), on the hub and on the CDN.
 */
public final class FakeHub implements AutoCloseable {
    /** One request as received. */
    public record Request(String server, String method, String path, Map<String, List<String>> headers) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        public boolean isContentGet() {
            return method.equals("GET") && (server.equals("cdn") || path.contains("/resolve/"));
        }
    }

    /** A file in a repository. */
    public record RepoFile(String path, byte[] content, boolean lfs) {
        public String sha256() { return hex("SHA-256", content, null); }

        public String gitSha1() {
            return hex("SHA-1", content, ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
        }

        public String etag() { return lfs ? sha256() : gitSha1(); }
    }

    /** A repository: files at one commit, reachable by branch name or commit sha. */
    public final class Repo {
        private final String id;
        private final Map<String, RepoFile> files = new LinkedHashMap<>();
        private final Map<String, String> branches = new ConcurrentHashMap<>();
        private volatile String commit;
        private volatile boolean gated;

        private Repo(String id) {
            this.id = id;
            this.commit = hex("SHA-1", id.getBytes(StandardCharsets.UTF_8), null);
            branches.put("main", commit);
        }

        public String id() { return id; }

        public String commit() { return commit; }

        /** A plain git file (served directly, ETag = git blob sha1). */
        public synchronized Repo file(String path, byte[] content) {
            files.put(path, new RepoFile(path, content.clone(), false));
            return this;
        }

        public Repo file(String path, String content) { return file(path, content.getBytes(StandardCharsets.UTF_8)); }

        /** An LFS file (302 to the CDN, X-Linked-Etag = SHA-256). */
        public synchronized Repo lfsFile(String path, byte[] content) {
            files.put(path, new RepoFile(path, content.clone(), true));
            return this;
        }

        /** Requires an accepted token for file downloads (the listing stays public, as on the hub). */
        public Repo gated() {
            gated = true;
            return this;
        }

        /** Pins the repository's commit sha (e.g. to match a preset's pinned revision). */
        public Repo atCommit(String sha) {
            commit = sha;
            branches.put("main", commit);
            return this;
        }

        /** Moves {@code main} to a new commit (the files stay as they are). */
        public Repo newCommit(String seed) {
            commit = hex("SHA-1", (id + "#" + seed).getBytes(StandardCharsets.UTF_8), null);
            branches.put("main", commit);
            return this;
        }

        public RepoFile get(String path) { return files.get(path); }

        synchronized List<RepoFile> files() { return List.copyOf(files.values()); }

        Optional<String> resolveRevision(String revision) {
            if (branches.containsKey(revision)) return Optional.of(branches.get(revision));
            return revision.equals(commit) ? Optional.of(commit) : Optional.empty();
        }
    }

    private record Cut(long atOffset, int[] remaining) {}

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-hub");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Set<String> grantedTokens = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Cut> cuts = new ConcurrentHashMap<>();
    private final Map<String, int[]> corruptions = new ConcurrentHashMap<>();

    private FakeHub() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(loopback, 0);
        cdn = HttpServer.create(loopback, 0);
        hub.createContext("/", ex -> handle("hub", ex));
        cdn.createContext("/", ex -> handle("cdn", ex));
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.start();
        cdn.start();
    }

    public static FakeHub start() throws IOException { return new FakeHub(); }

    /** What to put in HF_ENDPOINT. */
    public String endpoint() { return "http://127.0.0.1:" + hub.getAddress().getPort(); }

    public String cdnEndpoint() { return "http://127.0.0.1:" + cdn.getAddress().getPort(); }

    public Repo addRepo(String repoId) {
        Repo repo = new Repo(repoId);
        repos.put(repoId, repo);
        return repo;
    }

    /** Tokens that have accepted every gated repository's licence. */
    public FakeHub grantToken(String token) {
        grantedTokens.add(token);
        return this;
    }

    /** The next {@code times} downloads of {@code path} stop (connection closed) once the file offset reaches {@code offset}. */
    public FakeHub cutDownloads(String path, long offset, int times) {
        cuts.put(path, new Cut(offset, new int[] {times}));
        return this;
    }

    /** The next {@code times} downloads of {@code path} have one byte flipped (same length). */
    public FakeHub corruptDownloads(String path, int times) {
        corruptions.put(path, new int[] {times});
        return this;
    }

    public List<Request> requests() { return List.copyOf(requests); }

    public List<Request> requests(Predicate<Request> filter) { return requests.stream().filter(filter).toList(); }

    /** Requests that transferred file content (GETs of resolve URLs and of the CDN). */
    public List<Request> contentGets() { return requests(Request::isContentGet); }

    public void clearRequests() { requests.clear(); }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void handle(String server, HttpExchange ex) throws IOException {
        try (ex) {
            String rawPath = ex.getRequestURI().getRawPath();
            requests.add(new Request(server, ex.getRequestMethod(), rawPath, Map.copyOf(ex.getRequestHeaders())));
            List<String> seg = new ArrayList<>();
            for (String s : rawPath.split("/")) if (!s.isEmpty()) seg.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            if (server.equals("cdn")) {
                serveCdn(ex, seg);
            } else if (seg.size() >= 5 && seg.get(0).equals("api") && seg.get(1).equals("models")
                    && seg.get(4).equals("revision") && seg.size() == 6) {
                serveListing(ex, seg.get(2) + "/" + seg.get(3), seg.get(5));
            } else if (seg.size() >= 5 && seg.get(2).equals("resolve")) {
                serveResolve(ex, seg.get(0) + "/" + seg.get(1), seg.get(3), String.join("/", seg.subList(4, seg.size())));
            } else {
                error(ex, 404, null, "Not found");
            }
        } catch (RuntimeException e) {
            error(ex, 500, null, e.toString());
        }
    }

    private void serveListing(HttpExchange ex, String repoId, String revision) throws IOException {
        Repo repo = repos.get(repoId);
        if (repo == null) {
            error(ex, 404, "RepoNotFound", "Repository not found");
            return;
        }
        Optional<String> commit = repo.resolveRevision(revision);
        if (commit.isEmpty()) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
            return;
        }
        StringBuilder json = new StringBuilder("{\"_id\":\"").append(jsonEscape(repoId)).append("\",\"id\":\"")
                .append(jsonEscape(repoId)).append("\",\"sha\":\"").append(commit.get()).append("\",\"gated\":")
                .append(repo.gated ? "\"manual\"" : "false").append(",\"siblings\":[");
        List<RepoFile> files = repo.files();
        for (int i = 0; i < files.size(); i++) {
            if (i > 0) json.append(',');
            json.append("{\"rfilename\":\"").append(jsonEscape(files.get(i).path())).append("\"}");
        }
        json.append("]}");
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, 200, body);
    }

    private void serveResolve(HttpExchange ex, String repoId, String revision, String path) throws IOException {
        Repo repo = repos.get(repoId);
        if (repo == null) {
            error(ex, 404, "RepoNotFound", "Repository not found");
            return;
        }
        if (repo.gated) {
            Optional<String> token = ex.getRequestHeaders().getOrDefault("Authorization", List.of()).stream()
                    .filter(h -> h.startsWith("Bearer ")).map(h -> h.substring(7)).findFirst();
            if (token.isEmpty()) {
                error(ex, 401, "GatedRepo", "Access to model " + repoId + " is restricted. You must have access "
                        + "to it and be authenticated to access it. Please log in.");
                return;
            }
            if (!grantedTokens.contains(token.get())) {
                error(ex, 403, "GatedRepo", "Access to model " + repoId + " is restricted and you are not in the "
                        + "authorized list.");
                return;
            }
        }
        Optional<String> commit = repo.resolveRevision(revision);
        if (commit.isEmpty()) {
            error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
            return;
        }
        ex.getResponseHeaders().set("X-Repo-Commit", commit.get());
        RepoFile file = repo.get(path);
        if (file == null) {
            error(ex, 404, "EntryNotFound", path + " does not exist on \"" + revision + "\"");
            return;
        }
        if (file.lfs()) {
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + file.sha256() + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", Long.toString(file.content().length));
            ex.getResponseHeaders().set("ETag", "\"" + file.sha256() + "\"");
            ex.getResponseHeaders().set("Location", cdnEndpoint() + "/lfs/" + file.sha256() + "?signature=fake");
            ex.sendResponseHeaders(302, -1);
            return;
        }
        ex.getResponseHeaders().set("ETag", "\"" + file.gitSha1() + "\"");
        serveContent(ex, file);
    }

    private void serveCdn(HttpExchange ex, List<String> seg) throws IOException {
        if (seg.size() == 2 && seg.get(0).equals("lfs")) {
            for (Repo repo : repos.values()) {
                for (RepoFile f : repo.files()) {
                    if (f.lfs() && f.sha256().equals(seg.get(1))) {
                        serveContent(ex, f);
                        return;
                    }
                }
            }
        }
        error(ex, 404, null, "NoSuchKey");
    }

    private void serveContent(HttpExchange ex, RepoFile file) throws IOException {
        byte[] content = file.content();
        long total = content.length;
        long start = 0;
        long end = total - 1;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=")) {
            String[] bounds = range.substring(6).split("-", -1);
            start = Long.parseLong(bounds[0].strip());
            if (bounds.length > 1 && !bounds[1].isBlank()) end = Math.min(end, Long.parseLong(bounds[1].strip()));
            if (start >= total) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + total);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            status = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + total);
        }
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        byte[] body = java.util.Arrays.copyOfRange(content, (int) start, (int) end + 1);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        int[] corrupt = corruptions.get(file.path());
        if (corrupt != null && takeOne(corrupt) && body.length > 0) {
            body[body.length / 2] ^= 0x5A;
        }
        Cut cut = cuts.get(file.path());
        if (cut != null && cut.atOffset() > start && cut.atOffset() <= end && takeOne(cut.remaining())) {
            ex.sendResponseHeaders(status, body.length);
            OutputStream out = ex.getResponseBody();
            out.write(body, 0, (int) (cut.atOffset() - start));
            out.flush();
            pause(100); // let the client read what was sent before the connection drops
            ex.close(); // fewer bytes than announced: the server drops the connection
            return;
        }
        send(ex, status, body);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized boolean takeOne(int[] remaining) {
        if (remaining[0] <= 0) return false;
        remaining[0]--;
        return true;
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        if (code != null) ex.getResponseHeaders().set("X-Error-Code", code);
        ex.getResponseHeaders().set("X-Error-Message", message);
        byte[] body = ("{\"error\":\"" + jsonEscape(message) + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, status, body);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.toString();
    }

    static String hex(String algorithm, byte[] content, byte[] prefix) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            if (prefix != null) md.update(prefix);
            return HexFormat.of().formatHex(md.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
