package dev.atelier.llm.spec;

import dev.atelier.core.AtelierException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a chat model lives, written as one string that the CLI, the server and configuration share:
 * <ul>
 *   <li>{@code gguf:/path/model.gguf} with optional {@code ?ctx=8192&threads=8&gpu-layers=99}: in process, llama.cpp</li>
 *   <li>{@code openai:https://api.openai.com/v1#gpt-4o-mini}: any OpenAI-compatible server; the key comes from the
 *       environment variable {@code OPENAI_API_KEY}, or the one named by {@code ?key-env=NAME} on the URL</li>
 *   <li>{@code ollama:qwen2.5:7b}: a local Ollama at {@code http://localhost:11434/v1} ({@code OLLAMA_HOST} overrides)</li>
 * </ul>
 */
public sealed interface ModelSpec permits ModelSpec.Gguf, ModelSpec.OpenAi {

    String DEFAULT_KEY_ENV = "OPENAI_API_KEY";
    String OLLAMA_DEFAULT_URL = "http://localhost:11434/v1";

    /** The spec written back as a string (without secrets: there are none in a spec). */
    String text();

    /**
     * A GGUF file run in process.
     *
     * @param contextSize context window in tokens, null for the default
     * @param threads     CPU threads, null for the default
     * @param gpuLayers   layers offloaded to a GPU, null for the default (none)
     */
    record Gguf(Path path, Integer contextSize, Integer threads, Integer gpuLayers) implements ModelSpec {
        @Override
        public String text() {
            StringBuilder sb = new StringBuilder("gguf:").append(path);
            String sep = "?";
            if (contextSize != null) { sb.append(sep).append("ctx=").append(contextSize); sep = "&"; }
            if (threads != null) { sb.append(sep).append("threads=").append(threads); sep = "&"; }
            if (gpuLayers != null) sb.append(sep).append("gpu-layers=").append(gpuLayers);
            return sb.toString();
        }
    }

    /**
     * An OpenAI-compatible chat completions server.
     *
     * @param baseUrl   the API root, e.g. {@code https://api.openai.com/v1} (requests go to {@code baseUrl/chat/completions})
     * @param model     the model name the server knows
     * @param apiKeyEnv name of the environment variable holding the API key; null when none is needed
     */
    record OpenAi(URI baseUrl, String model, String apiKeyEnv) implements ModelSpec {
        @Override
        public String text() {
            if (apiKeyEnv == null && baseUrl.getScheme().equals("http") && baseUrl.getPort() == 11434) {
                return "ollama:" + model;
            }
            return "openai:" + baseUrl + (DEFAULT_KEY_ENV.equals(apiKeyEnv) || apiKeyEnv == null ? ""
                    : (baseUrl.getQuery() == null ? "?" : "&") + "key-env=" + apiKeyEnv) + "#" + model;
        }
    }

    static ModelSpec parse(String spec) { return parse(spec, System::getenv); }

    /** Parses a spec; {@code env} looks up environment variables (OLLAMA_HOST). */
    static ModelSpec parse(String spec, Function<String, String> env) {
        if (spec == null || spec.isBlank()) {
            throw malformed(String.valueOf(spec), "it is empty");
        }
        String s = spec.strip();
        int colon = s.indexOf(':');
        if (colon <= 0) throw malformed(s, "it has no kind prefix");
        String kind = s.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = s.substring(colon + 1);
        return switch (kind) {
            case "gguf" -> parseGguf(s, rest);
            case "openai" -> parseOpenAi(s, rest);
            case "ollama" -> parseOllama(s, rest, env);
            default -> throw malformed(s, "'" + kind + "' is not a known kind (gguf, openai, ollama)");
        };
    }

    private static ModelSpec parseGguf(String spec, String rest) {
        String pathPart = rest;
        Map<String, String> params = Map.of();
        int q = rest.lastIndexOf('?');
        if (q >= 0) {
            pathPart = rest.substring(0, q);
            params = queryParams(spec, rest.substring(q + 1));
        }
        if (pathPart.isBlank()) throw malformed(spec, "the path of the .gguf file is missing");
        if (pathPart.startsWith("~/")) pathPart = System.getProperty("user.home") + pathPart.substring(1);
        Integer ctx = null, threads = null, gpuLayers = null;
        for (var e : params.entrySet()) {
            switch (e.getKey()) {
                case "ctx" -> ctx = positiveInt(spec, e.getKey(), e.getValue(), 1);
                case "threads" -> threads = positiveInt(spec, e.getKey(), e.getValue(), 1);
                case "gpu-layers" -> gpuLayers = positiveInt(spec, e.getKey(), e.getValue(), 0);
                default -> throw malformed(spec, "'" + e.getKey() + "' is not a gguf option (ctx, threads, gpu-layers)");
            }
        }
        return new Gguf(Path.of(pathPart), ctx, threads, gpuLayers);
    }

    private static ModelSpec parseOpenAi(String spec, String rest) {
        int hash = rest.lastIndexOf('#');
        if (hash < 0 || hash == rest.length() - 1) {
            throw malformed(spec, "the model name is missing after '#'");
        }
        String model = rest.substring(hash + 1).strip();
        String url = rest.substring(0, hash).strip();
        String keyEnv = DEFAULT_KEY_ENV;
        int q = url.indexOf('?');
        if (q >= 0) {
            Map<String, String> params = new LinkedHashMap<>(queryParams(spec, url.substring(q + 1)));
            String named = params.remove("key-env");
            if (named != null) {
                if (!named.matches("[A-Za-z_][A-Za-z0-9_]*")) throw malformed(spec, "key-env must name an environment variable");
                keyEnv = named;
            }
            StringBuilder kept = new StringBuilder(url.substring(0, q));
            String sep = "?";
            for (var e : params.entrySet()) { kept.append(sep).append(e.getKey()).append('=').append(e.getValue()); sep = "&"; }
            url = kept.toString();
        }
        return new OpenAi(httpUri(spec, url), model, keyEnv);
    }

    private static ModelSpec parseOllama(String spec, String model, Function<String, String> env) {
        if (model.isBlank()) throw malformed(spec, "the model name is missing after 'ollama:'");
        String host = env.apply("OLLAMA_HOST");
        String url = OLLAMA_DEFAULT_URL;
        if (host != null && !host.isBlank()) {
            String h = host.strip();
            if (!h.startsWith("http://") && !h.startsWith("https://")) h = "http://" + h;
            url = h.replaceAll("/+$", "") + "/v1";
        }
        return new OpenAi(httpUri(spec, url), model.strip(), null);
    }

    private static URI httpUri(String spec, String url) {
        try {
            URI uri = new URI(url.replaceAll("/+$", ""));
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                throw malformed(spec, "'" + url + "' is not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw malformed(spec, "'" + url + "' is not a valid URL (" + e.getReason() + ")");
        }
    }

    private static Map<String, String> queryParams(String spec, String query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            if (eq <= 0) throw malformed(spec, "option '" + pair + "' needs the form name=value");
            params.put(pair.substring(0, eq).toLowerCase(Locale.ROOT), pair.substring(eq + 1));
        }
        return params;
    }

    private static int positiveInt(String spec, String name, String value, int min) {
        try {
            int v = Integer.parseInt(value.strip());
            if (v < min) throw malformed(spec, name + " must be at least " + min);
            return v;
        } catch (NumberFormatException e) {
            throw malformed(spec, name + " must be a whole number, not '" + value + "'");
        }
    }

    private static AtelierException malformed(String spec, String why) {
        return new AtelierException("Malformed model spec '" + spec + "': " + why + ". Use one of "
                + "gguf:/path/model.gguf[?ctx=8192&threads=8&gpu-layers=99], "
                + "openai:https://api.openai.com/v1#gpt-4o-mini (key from OPENAI_API_KEY or ?key-env=NAME), "
                + "ollama:qwen2.5:7b.");
    }
}
