package dev.atelier.llm.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.core.json.JsonSchemas;
import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatModelException;
import dev.atelier.llm.ChatOptions;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import dev.atelier.llm.Prompts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chat model behind an OpenAI-compatible {@code POST {baseUrl}/chat/completions} endpoint (OpenAI, Ollama, vLLM,
 * llama.cpp's server, LM Studio, Gemini's OpenAI-compatible endpoint). Streams over Server-Sent Events, sends
 * images as base64 data URLs, retries 429 and 5xx answers with backoff that honours Retry-After, and passes a
 * JSON Schema as {@code response_format} where the server accepts it (plain instructions where it does not).
 */
public final class OpenAiChatModel implements ChatModel {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatModel.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Waits between retries; replaceable in tests. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final OpenAiSettings settings;
    private final URI endpoint;
    private final String apiKey;
    private final HttpClient http;
    private final Sleeper sleeper;
    private volatile OpenAiSettings.JsonMode jsonMode;
    /** Newer OpenAI models refuse max_tokens and want max_completion_tokens; learnt from the first refusal. */
    private volatile String maxTokensField = "max_tokens";

    public OpenAiChatModel(OpenAiSettings settings) { this(settings, System::getenv, d -> Thread.sleep(d)); }

    OpenAiChatModel(OpenAiSettings settings, Function<String, String> env, Sleeper sleeper) {
        this.settings = settings;
        String base = settings.baseUrl().toString();
        String query = "";
        int q = base.indexOf('?');
        if (q >= 0) {
            query = base.substring(q);
            base = base.substring(0, q);
        }
        this.endpoint = URI.create(base.replaceAll("/+$", "") + "/chat/completions" + query);
        String key = settings.apiKeyEnv() == null ? null : env.apply(settings.apiKeyEnv());
        this.apiKey = key == null || key.isBlank() ? null : key.strip();
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
        this.sleeper = sleeper;
        this.jsonMode = settings.jsonMode();
        if (apiKey == null && settings.apiKeyEnv() != null) {
            LOG.debug("environment variable {} is not set; requests to {} carry no API key", settings.apiKeyEnv(), endpoint);
        }
    }

    @Override
    public String name() { return settings.model() + " @ " + settings.baseUrl(); }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return execute(request, false, null);
    }

    @Override
    public ChatResponse stream(ChatRequest request, Consumer<String> onToken) {
        return execute(request, true, onToken);
    }

    private ChatResponse execute(ChatRequest request, boolean stream, Consumer<String> onToken) {
        while (true) {
            OpenAiSettings.JsonMode mode = jsonMode;
            ObjectNode body = requestBody(request, stream, mode);
            try {
                return send(body, stream, onToken);
            } catch (ChatModelException e) {
                boolean sentFormat = body.has("response_format");
                String complaint = e.getMessage().toLowerCase(Locale.ROOT);
                if (e.httpStatus() == 400 && body.has("max_tokens") && complaint.contains("max_completion_tokens")) {
                    LOG.info("{} wants max_completion_tokens instead of max_tokens; using it from now on", endpoint);
                    maxTokensField = "max_completion_tokens";
                    continue;
                }
                boolean aboutJson = complaint.contains("response_format") || complaint.contains("json") || complaint.contains("schema");
                if (e.httpStatus() == 400 && aboutJson && request.options().jsonSchema() != null && mode != OpenAiSettings.JsonMode.INSTRUCTIONS) {
                    OpenAiSettings.JsonMode next = mode == OpenAiSettings.JsonMode.JSON_SCHEMA
                            ? OpenAiSettings.JsonMode.JSON_OBJECT : OpenAiSettings.JsonMode.INSTRUCTIONS;
                    LOG.info("{} refused {} (\"{}\"); asking for JSON by {} from now on", endpoint,
                            sentFormat ? body.get("response_format").path("type").asText() : mode, e.getMessage(), next);
                    jsonMode = next;
                    continue;
                }
                throw e;
            }
        }
    }

    /** The request body in the Chat Completions wire format. */
    ObjectNode requestBody(ChatRequest request, boolean stream, OpenAiSettings.JsonMode mode) {
        ChatOptions o = request.options();
        ObjectNode body = MAPPER.createObjectNode();
        body.put("model", settings.model());
        ArrayNode messages = body.putArray("messages");
        String instructions = null;
        if (o.jsonSchema() != null) {
            JsonNode schema = parseSchema(o.jsonSchema());
            switch (mode) {
                case JSON_SCHEMA -> {
                    ObjectNode format = body.putObject("response_format");
                    format.put("type", "json_schema");
                    ObjectNode js = format.putObject("json_schema");
                    js.put("name", "answer");
                    js.set("schema", schema);
                    js.put("strict", JsonSchemas.isStrictCompatible(schema));
                }
                case JSON_OBJECT -> {
                    body.putObject("response_format").put("type", "json_object");
                    instructions = Prompts.render("json-instructions", Map.of("schema", schema.toString()));
                }
                case INSTRUCTIONS -> instructions = Prompts.render("json-instructions", Map.of("schema", schema.toString()));
            }
        }
        boolean instructionsPlaced = instructions == null;
        for (int i = 0; i < request.messages().size(); i++) {
            ChatMessage m = request.messages().get(i);
            ObjectNode node = messages.addObject();
            node.put("role", m.role().name().toLowerCase(Locale.ROOT));
            if (!instructionsPlaced && i == 0 && m.role() == ChatMessage.Role.SYSTEM && !m.hasImages()) {
                node.put("content", m.text() + "\n\n" + instructions);
                instructionsPlaced = true;
            } else if (!m.hasImages()) {
                node.put("content", m.text());
            } else {
                ArrayNode parts = node.putArray("content");
                for (ChatMessage.Content c : m.parts()) {
                    switch (c) {
                        case ChatMessage.Text t -> parts.addObject().put("type", "text").put("text", t.text());
                        case ChatMessage.Image img -> {
                            ObjectNode part = parts.addObject().put("type", "image_url");
                            part.putObject("image_url").put("url",
                                    "data:" + img.mimeType() + ";base64," + Base64.getEncoder().encodeToString(img.bytes()));
                        }
                    }
                }
            }
        }
        if (!instructionsPlaced) {
            messages.insertObject(0).put("role", "system").put("content", instructions);
        }
        if (o.temperature() != null) body.put("temperature", o.temperature());
        if (o.topP() != null) body.put("top_p", o.topP());
        if (o.maxTokens() != null) body.put(maxTokensField, o.maxTokens());
        if (o.seed() != null) body.put("seed", o.seed());
        if (!o.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            o.stop().forEach(stop::add);
        }
        if (stream) body.put("stream", true);
        return body;
    }

    private static JsonNode parseSchema(String schema) {
        try {
            JsonNode node = MAPPER.readTree(schema);
            if (node == null || !node.isObject()) throw new ChatModelException("The JSON Schema for structured output is not a JSON object; pass a schema such as JsonSchemas.forType(MyRecord.class).");
            return node;
        } catch (JsonProcessingException e) {
            throw new ChatModelException("The JSON Schema for structured output is not valid JSON (" + e.getOriginalMessage()
                    + "); pass a schema such as JsonSchemas.forType(MyRecord.class).", e);
        }
    }

    private ChatResponse send(ObjectNode body, boolean stream, Consumer<String> onToken) {
        String json = body.toString();
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(settings.readTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (apiKey != null) builder.header("Authorization", "Bearer " + apiKey);
        HttpRequest httpRequest = builder.build();
        LOG.debug("POST {} model={} stream={} ({} bytes)", endpoint, settings.model(), stream, json.length());

        for (int attempt = 0; ; attempt++) {
            HttpResponse<InputStream> response;
            try {
                response = http.send(httpRequest, HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpConnectTimeoutException | ConnectException e) {
                if (attempt < settings.maxRetries()) {
                    pause(backoff(attempt), "connection failed: " + e);
                    continue;
                }
                throw new ChatModelException("Could not reach the chat server at " + endpoint + " (" + describe(e)
                        + "). Check that the server is running and that the model spec's URL is right.", e);
            } catch (HttpTimeoutException e) {
                throw new ChatModelException("The chat server at " + endpoint + " did not answer within "
                        + settings.readTimeout().toSeconds() + " s. Raise the read timeout or use a smaller/faster model.", e);
            } catch (IOException e) {
                if (attempt < settings.maxRetries()) {
                    pause(backoff(attempt), "I/O error: " + e);
                    continue;
                }
                throw new ChatModelException("The connection to the chat server at " + endpoint + " failed (" + describe(e)
                        + "). Check the server and the network, then try again.", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChatModelException("Interrupted while waiting for " + endpoint + ".", e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                IdleTimeoutInputStream in = new IdleTimeoutInputStream(response.body(), settings.readTimeout());
                try (in) {
                    return stream ? readStream(in, onToken) : readAnswer(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    if (in.timedOut()) {
                        throw new ChatModelException("The chat server at " + endpoint + " stopped sending its answer for more than "
                                + settings.readTimeout().toSeconds() + " s. Try again, or raise the read timeout for slow models.", e);
                    }
                    throw new ChatModelException("The answer from " + endpoint + " broke off (" + describe(e) + "). Try again.", e);
                }
            }
            String errorBody = readQuietly(response.body());
            boolean retryable = status == 429 || status >= 500;
            if (retryable && attempt < settings.maxRetries()) {
                Duration wait = retryAfter(response).orElse(backoff(attempt));
                if (wait.compareTo(settings.maxBackoff()) > 0) {
                    throw httpError(status, errorBody, " The server asks to wait " + wait.toSeconds()
                            + " s, longer than the allowed " + settings.maxBackoff().toSeconds() + " s; try again later.");
                }
                pause(wait, "HTTP " + status);
                continue;
            }
            throw httpError(status, errorBody, retryable && settings.maxRetries() > 0
                    ? " It still failed after " + settings.maxRetries() + " retries." : "");
        }
    }

    private void pause(Duration wait, String why) {
        LOG.info("{} from {}; retrying in {} ms", why, endpoint, wait.toMillis());
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChatModelException("Interrupted while waiting to retry " + endpoint + ".", e);
        }
    }

    private Duration backoff(int attempt) {
        long millis = settings.initialBackoff().toMillis() << Math.min(attempt, 20);
        return Duration.ofMillis(Math.min(millis, settings.maxBackoff().toMillis()));
    }

    /** Retry-After as delay-seconds or an HTTP date. */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        if (header.isEmpty()) return Optional.empty();
        String v = header.get().strip();
        try {
            return Optional.of(Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(v) * 1000))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (RuntimeException notDate) {
                return Optional.empty();
            }
        }
    }

    private ChatModelException httpError(int status, String body, String suffix) {
        String detail = errorMessage(body);
        String what = switch (status) {
            case 401, 403 -> apiKey == null
                    ? "The chat server at " + endpoint + " requires an API key (HTTP " + status + ": " + detail + "). Set the environment variable "
                      + (settings.apiKeyEnv() == null ? "named by ?key-env=NAME in the model spec" : settings.apiKeyEnv()) + "."
                    : "The chat server at " + endpoint + " refused the API key from " + settings.apiKeyEnv() + " (HTTP " + status + ": "
                      + detail + "). Check that the key is valid and allowed to use model '" + settings.model() + "'.";
            case 404 -> "The chat server at " + endpoint + " does not know model '" + settings.model() + "' or this path (HTTP 404: "
                    + detail + "). Check the model name and that the base URL ends with /v1.";
            case 429 -> "The chat server at " + endpoint + " is rate limiting requests (HTTP 429: " + detail + ")."
                    + (suffix.isEmpty() ? " Wait a moment and try again." : "");
            default -> status >= 500
                    ? "The chat server at " + endpoint + " failed (HTTP " + status + ": " + detail + ")." + (suffix.isEmpty() ? " Try again later." : "")
                    : "The chat server at " + endpoint + " rejected the request (HTTP " + status + ": " + detail + ").";
        };
        return new ChatModelException(what + suffix, null, status);
    }

    /** The human-readable part of an error body: OpenAI's {error:{message}}, Ollama's {error:"..."} or plain text. */
    static String errorMessage(String body) {
        if (body == null || body.isBlank()) return "no details";
        try {
            JsonNode root = MAPPER.readTree(body);
            JsonNode error = root.path("error");
            if (error.isTextual()) return error.asText();
            if (error.path("message").isTextual()) return error.path("message").asText();
            if (root.path("message").isTextual()) return root.path("message").asText();
            if (root.path("detail").isTextual()) return root.path("detail").asText();
        } catch (JsonProcessingException notJson) {
            // fall through to the raw text
        }
        String s = body.strip();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private ChatResponse readAnswer(String body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ChatModelException("The chat server at " + endpoint + " answered with something that is not JSON: "
                    + errorMessage(body) + ". Check that the URL points at an OpenAI-compatible API.", e);
        }
        if (root.has("error")) throw new ChatModelException("The chat server at " + endpoint + " reported an error: " + errorMessage(body) + ".");
        JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new ChatModelException("The answer from " + endpoint + " has no choices. Check that the URL points at an OpenAI-compatible API.");
        }
        JsonNode message = choice.path("message");
        String text = contentText(message.get("content"));
        if (text.isEmpty()) text = toolArguments(message.path("tool_calls"));
        JsonNode usage = root.path("usage");
        return new ChatResponse(text, finishReason(choice.path("finish_reason")),
                usage.path("prompt_tokens").asInt(0), usage.path("completion_tokens").asInt(0));
    }

    private ChatResponse readStream(InputStream in, Consumer<String> onToken) throws IOException {
        StringBuilder text = new StringBuilder();
        ChatResponse.FinishReason finish = ChatResponse.FinishReason.OTHER;
        int promptTokens = 0, completionTokens = 0;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        StringBuilder data = new StringBuilder();
        boolean done = false;
        String line;
        while (!done) {
            line = reader.readLine();
            if (line != null && !line.isEmpty()) {
                if (line.startsWith("data:")) {
                    if (!data.isEmpty()) data.append('\n');
                    data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
                }
                continue; // comments (":"), event/id/retry fields carry nothing we need
            }
            if (!data.isEmpty()) {
                String payload = data.toString();
                data.setLength(0);
                if (payload.strip().equals("[DONE]")) break;
                JsonNode chunk;
                try {
                    chunk = MAPPER.readTree(payload);
                } catch (JsonProcessingException e) {
                    throw new ChatModelException("The stream from " + endpoint + " carried an event that is not JSON: "
                            + errorMessage(payload) + ".", e);
                }
                if (chunk.has("error")) {
                    throw new ChatModelException("The chat server at " + endpoint + " reported an error while streaming: "
                            + errorMessage(payload) + ".");
                }
                JsonNode choice = chunk.path("choices").path(0);
                JsonNode delta = choice.path("delta");
                String piece = contentText(delta.get("content"));
                if (piece.isEmpty()) piece = toolArguments(delta.path("tool_calls"));
                if (!piece.isEmpty()) {
                    text.append(piece);
                    onToken.accept(piece);
                }
                if (choice.hasNonNull("finish_reason")) finish = finishReason(choice.get("finish_reason"));
                JsonNode usage = chunk.path("usage");
                if (usage.isObject()) {
                    promptTokens = usage.path("prompt_tokens").asInt(promptTokens);
                    completionTokens = usage.path("completion_tokens").asInt(completionTokens);
                }
            }
            if (line == null) done = true;
        }
        return new ChatResponse(text.toString(), finish, promptTokens, completionTokens);
    }

    private static String contentText(JsonNode content) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.asText();
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) if (part.path("text").isTextual()) sb.append(part.path("text").asText());
            return sb.toString();
        }
        return content.toString();
    }

    /** Servers that answer structured requests through a tool call put the JSON in the call's arguments. */
    private static String toolArguments(JsonNode toolCalls) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode call : toolCalls) sb.append(call.path("function").path("arguments").asText(""));
        return sb.toString();
    }

    private static ChatResponse.FinishReason finishReason(JsonNode reason) {
        return switch (reason.asText("")) {
            case "stop", "tool_calls", "function_call", "eos", "stop_sequence" -> ChatResponse.FinishReason.STOP;
            case "length", "max_tokens" -> ChatResponse.FinishReason.LENGTH;
            default -> ChatResponse.FinishReason.OTHER;
        };
    }

    private static String readQuietly(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void close() {
        http.close();
    }
}
