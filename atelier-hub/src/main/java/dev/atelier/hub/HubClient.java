package dev.atelier.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the hub: list a repository, read a file's metadata with a HEAD that does not follow redirects,
 * and fetch content (following redirects, resuming with Range). Redirects are followed by hand so the token is sent
 * to the hub only, never to a CDN on another host (signed CDN URLs reject a second credential).
 */
public final class HubClient {
    private static final Logger log = LoggerFactory.getLogger(HubClient.class);
    private static final int MAX_REDIRECTS = 5;
    private static final int BUFFER_BYTES = 1 << 20;
    private static final String USER_AGENT = "atelier/0.1 (java.net.http)";

    private final HubSettings settings;
    /** Made on the first request: most commands find their model on disk, and building a client costs start-up. */
    private HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public HubClient(HubSettings settings) {
        this(settings, null);
    }

    public HubClient(HubSettings settings, HttpClient http) {
        this.settings = settings;
        this.http = http;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(20))
                    .build();
        }
        return http;
    }

    public HubSettings settings() { return settings; }

    /** The files of repo@revision and the commit the revision points to. */
    public RepoListing listFiles(RepoRef ref) {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + ref.repoId() + "/revision/"
                + encodeSegment(ref.revision()));
        HttpResponse<byte[]> response = send(hubRequest(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray(),
                "the file list of " + ref);
        if (response.statusCode() != 200) {
            throw HubErrors.forStatus(response.statusCode(), response.headers(), settings, ref.repoId(),
                    ref.revision(), null);
        }
        try {
            JsonNode root = json.readTree(response.body());
            String commit = root.path("sha").asText("");
            if (!RepoRef.isCommitSha(commit)) {
                throw new AtelierException("The hub's answer for " + ref + " has no commit sha; check that HF_ENDPOINT ("
                        + settings.endpoint() + ") is a Hugging Face hub.");
            }
            List<String> files = new ArrayList<>();
            for (JsonNode sibling : root.path("siblings")) {
                String name = sibling.path("rfilename").asText("");
                if (!name.isEmpty()) files.add(name);
            }
            return new RepoListing(ref.repoId(), commit, List.copyOf(files));
        } catch (IOException e) {
            throw new AtelierException("The hub's file list for " + ref + " is not valid JSON (" + e.getMessage()
                    + "); check HF_ENDPOINT or try again later.", e);
        }
    }

    /** HEAD on the resolve URL, without following the CDN redirect, to learn commit, etag and size. */
    public FileMetadata fileMetadata(String repoId, String revision, String path) {
        URI uri = resolveUri(repoId, revision, path);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = requestFor(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity");
            HttpResponse<Void> response = send(request.build(), HttpResponse.BodyHandlers.discarding(),
                    path + " of " + repoId);
            int status = response.statusCode();
            HttpHeaders h = response.headers();
            if (status >= 400) throw HubErrors.forStatus(status, h, settings, repoId, revision, path);
            Optional<String> etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(HubClient::normalizeEtag);
            Optional<URI> location = h.firstValue("Location").map(uri::resolve);
            if (isRedirect(status) && etag.isEmpty() && location.isPresent()) {
                uri = location.get(); // e.g. a renamed repository: ask again at the new place
                continue;
            }
            String commit = h.firstValue("X-Repo-Commit").orElse(RepoRef.isCommitSha(revision) ? revision : null);
            OptionalLong size = firstLong(h, "X-Linked-Size");
            if (size.isEmpty()) size = firstLong(h, "Content-Length");
            if (commit == null || etag.isEmpty() || size.isEmpty()) {
                throw new AtelierException("The hub's answer for " + path + " in " + repoId + " lacks "
                        + (commit == null ? "X-Repo-Commit" : etag.isEmpty() ? "an ETag" : "a size")
                        + "; check that HF_ENDPOINT (" + settings.endpoint() + ") is a Hugging Face hub.");
            }
            return new FileMetadata(commit, etag.get(), size.getAsLong(),
                    isRedirect(status) ? location : Optional.empty());
        }
        throw new AtelierException("Too many redirects while looking up " + path + " in " + repoId
                + "; check HF_ENDPOINT.");
    }

    /**
     * Appends the file's content to {@code target} starting at its current length (a Range request when it is
     * non-empty), reporting the bytes on disk. Network failures surface as {@link IOException} so the caller can
     * retry; hub refusals as {@link AtelierException}.
     */
    public void download(String repoId, String revision, String path, FileMetadata meta, Path target,
                         LongConsumer bytesOnDisk) throws IOException {
        URI uri = meta.location().orElse(resolveUri(repoId, revision, path));
        long offset = Files.exists(target) ? Files.size(target) : 0;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = requestFor(uri).GET().header("Accept-Encoding", "identity");
            if (offset > 0) request.header("Range", "bytes=" + offset + "-");
            HttpResponse<InputStream> response;
            try {
                response = http().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            int status = response.statusCode();
            try (InputStream body = response.body()) {
                if (isRedirect(status)) {
                    uri = uri.resolve(response.headers().firstValue("Location").orElseThrow(
                            () -> new IOException("redirect without Location")));
                    continue;
                }
                boolean append;
                if (status == 206) {
                    long start = contentRangeStart(response.headers());
                    if (start != offset) throw new IOException("the server resumed at " + start + ", not " + offset);
                    append = true;
                } else if (status == 200) {
                    append = false; // the server ignored the Range: start over
                } else {
                    throw HubErrors.forStatus(status, response.headers(), settings, repoId, revision, path);
                }
                writeBody(body, target, append, bytesOnDisk);
                return;
            }
        }
        throw new AtelierException("Too many redirects while downloading " + path + " of " + repoId
                + "; check HF_ENDPOINT.");
    }

    private static void writeBody(InputStream body, Path target, boolean append, LongConsumer bytesOnDisk)
            throws IOException {
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            long written = append ? out.size() : 0;
            byte[] buffer = new byte[BUFFER_BYTES];
            int n;
            while ((n = body.read(buffer)) > 0) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) out.write(chunk);
                written += n;
                bytesOnDisk.accept(written);
            }
        }
    }

    public URI resolveUri(String repoId, String revision, String path) {
        String encodedPath = Arrays.stream(path.split("/")).map(HubClient::encodeSegment)
                .collect(Collectors.joining("/"));
        return URI.create(settings.endpoint() + "/" + repoId + "/resolve/" + encodeSegment(revision) + "/" + encodedPath);
    }

    private HttpRequest.Builder hubRequest(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("User-Agent", USER_AGENT);
        settings.token().ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b;
    }

    /** The token goes only to the hub's own host; a CDN on another host gets a plain request. */
    private HttpRequest.Builder requestFor(URI uri) {
        if (sameAuthority(uri, URI.create(settings.endpoint()))) return hubRequest(uri);
        return HttpRequest.newBuilder(uri).header("User-Agent", USER_AGENT);
    }

    static boolean sameAuthority(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI u) {
        if (u.getPort() >= 0) return u.getPort();
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
        try {
            log.debug("{} {}", request.method(), request.uri());
            return http().send(request, handler);
        } catch (IOException e) {
            throw HubErrors.network(settings, what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AtelierException("Interrupted while fetching " + what + ".", e);
        }
    }

    static String normalizeEtag(String raw) {
        String s = raw.strip();
        if (s.startsWith("W/")) s = s.substring(2);
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1);
        return s;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static OptionalLong firstLong(HttpHeaders h, String name) {
        Optional<String> v = h.firstValue(name);
        if (v.isEmpty()) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(v.get().strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static long contentRangeStart(HttpHeaders h) throws IOException {
        String range = h.firstValue("Content-Range").orElseThrow(() -> new IOException("206 without Content-Range"));
        // "bytes START-END/TOTAL"
        String spec = range.strip();
        if (spec.startsWith("bytes")) spec = spec.substring(5).strip();
        int dash = spec.indexOf('-');
        try {
            return Long.parseLong(spec.substring(0, dash));
        } catch (RuntimeException e) {
            throw new IOException("unreadable Content-Range: " + range);
        }
    }

    static String encodeSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
