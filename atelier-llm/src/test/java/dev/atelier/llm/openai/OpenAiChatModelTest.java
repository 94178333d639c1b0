package dev.atelier.llm.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.json.JsonSchemas;
import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatModelException;
import dev.atelier.llm.ChatOptions;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import dev.atelier.llm.openai.FakeChatServer.Reply;
import dev.atelier.llm.structured.StructuredOutput;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiChatModelTest {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String KEY = "sk-test-123";

    enum Mood { CALM, STORMY }

    record Scene(String title, Mood mood, List<String> objects) {}

    FakeChatServer server;
    List<Duration> waits = new ArrayList<>();

    @BeforeEach
    void start() throws Exception { server = new FakeChatServer(); }

    @AfterEach
    void stop() { server.close(); }

    OpenAiChatModel model(OpenAiSettings.JsonMode mode) {
        OpenAiSettings settings = OpenAiSettings.of(server.baseUrl(), "test-model", "TEST_KEY")
                .withRetries(3, Duration.ofMillis(100), Duration.ofSeconds(30))
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withJsonMode(mode);
        return new OpenAiChatModel(settings, Map.of("TEST_KEY", KEY)::get, waits::add);
    }

    static String answer(String content, String finish) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"test-model\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":" + MAPPER.valueToTree(content) + "},\"finish_reason\":\"" + finish + "\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}";
    }

    static String chunk(String content, String finish) {
        return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{"
                + (content == null ? "" : "\"content\":" + MAPPER.valueToTree(content)) + "},\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
    }

    JsonNode body(int i) throws Exception { return MAPPER.readTree(server.requests.get(i).body()); }

    @Test
    void plainChatSendsTheDocumentedFieldsAndMapsTheAnswer() throws Exception {
        server.then(Reply.json(200, answer("Hello there", "stop")));
        ChatRequest request = new ChatRequest(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")),
                new ChatOptions(0.2, 0.9, 64, 42L, List.of("END"), null));
        ChatResponse response;
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            response = model.chat(request);
        }
        assertThat(response).isEqualTo(new ChatResponse("Hello there", ChatResponse.FinishReason.STOP, 12, 5));
        var recorded = server.requests.getFirst();
        assertThat(recorded.method()).isEqualTo("POST");
        assertThat(recorded.path()).isEqualTo("/v1/chat/completions");
        assertThat(recorded.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(recorded.header("Content-Type")).startsWith("application/json");
        JsonNode body = body(0);
        assertThat(body.get("model").asText()).isEqualTo("test-model");
        assertThat(body.get("messages")).isEqualTo(MAPPER.readTree(
                "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}]"));
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.get("seed").asLong()).isEqualTo(42);
        assertThat(body.get("stop")).isEqualTo(MAPPER.readTree("[\"END\"]"));
        assertThat(body.has("stream")).isFalse();
        assertThat(body.has("response_format")).isFalse();
    }

    @Test
    void imagesTravelAsBase64DataUrlParts() throws Exception {
        server.then(Reply.json(200, answer("a red square", "stop")));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        var message = new ChatMessage(ChatMessage.Role.USER,
                List.of(new ChatMessage.Text("What is this?"), new ChatMessage.Image(png, "image/png")));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            model.chat(ChatRequest.of(message));
        }
        JsonNode content = body(0).at("/messages/0/content");
        assertThat(content.isArray()).isTrue();
        assertThat(content.get(0)).isEqualTo(MAPPER.readTree("{\"type\":\"text\",\"text\":\"What is this?\"}"));
        assertThat(content.get(1).get("type").asText()).isEqualTo("image_url");
        assertThat(content.get(1).at("/image_url/url").asText()).isEqualTo("data:image/png;base64,iVBORwECAw==");
    }

    @Test
    void streamingDeliversPiecesInOrderAndTheirConcatenation() throws Exception {
        server.then(Reply.sse(": keep-alive\n\n", chunk("", null), chunk("Hel", null), chunk("lo ", null), chunk("wörld", null),
                chunk(null, "length"), "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\n",
                "data: [DONE]\n\n"));
        List<String> pieces = new ArrayList<>();
        ChatResponse response;
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            response = model.stream(ChatRequest.of(ChatMessage.user("Hi")), pieces::add);
        }
        assertThat(pieces).containsExactly("Hel", "lo ", "wörld");
        assertThat(response).isEqualTo(new ChatResponse("Hello wörld", ChatResponse.FinishReason.LENGTH, 7, 3));
        assertThat(body(0).get("stream").asBoolean()).isTrue();
        assertThat(server.requests.getFirst().header("Accept")).isEqualTo("text/event-stream");
    }

    @Test
    void aStreamThatStallsEndsWithAReadTimeout() {
        server.then(Reply.sse(chunk("Hel", null), FakeChatServer.PAUSE + "3000", chunk("lo", "stop"), "data: [DONE]\n\n"));
        var settings = OpenAiSettings.of(server.baseUrl(), "test-model", null).withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300));
        List<String> pieces = new ArrayList<>();
        long start = System.nanoTime();
        try (var model = new OpenAiChatModel(settings, name -> null, waits::add)) {
            assertThatThrownBy(() -> model.stream(ChatRequest.of(ChatMessage.user("x")), pieces::add))
                    .isInstanceOf(ChatModelException.class).hasMessageContaining("stopped sending its answer");
        }
        assertThat(pieces).containsExactly("Hel");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2500);
    }

    @Test
    void errorEventInsideAStreamBecomesAClearException() {
        server.then(Reply.sse(chunk("partial", null), "data: {\"error\":{\"message\":\"model crashed\"}}\n\n"));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            assertThatThrownBy(() -> model.stream(ChatRequest.of(ChatMessage.user("Hi")), p -> {}))
                    .isInstanceOf(ChatModelException.class).hasMessageContaining("model crashed");
        }
    }

    @Test
    void jsonSchemaGoesInResponseFormatAndStructuredOutputParsesIt() throws Exception {
        server.then(Reply.json(200, answer("{\"title\":\"Sea\",\"mood\":\"STORMY\",\"objects\":[\"boat\"]}", "stop")));
        Scene scene;
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            scene = new StructuredOutput(model).generate(ChatRequest.of(ChatMessage.user("Describe")), Scene.class);
        }
        assertThat(scene).isEqualTo(new Scene("Sea", Mood.STORMY, List.of("boat")));
        JsonNode format = body(0).get("response_format");
        assertThat(format.get("type").asText()).isEqualTo("json_schema");
        assertThat(format.at("/json_schema/name").asText()).isEqualTo("answer");
        assertThat(format.at("/json_schema/strict").asBoolean()).isTrue();
        assertThat(format.at("/json_schema/schema")).isEqualTo(JsonSchemas.forType(Scene.class));
    }

    @Test
    void serverWithoutJsonSchemaSupportGetsJsonObjectModeThenInstructions() throws Exception {
        server.then(Reply.json(400, "{\"error\":{\"message\":\"response_format json_schema is not supported\",\"type\":\"invalid_request_error\"}}"))
                .then(Reply.json(400, "{\"error\":{\"message\":\"response_format is not supported\"}}"))
                .then(Reply.json(200, answer("```json\n{\"title\":\"Sea\",\"mood\":\"calm\",\"objects\":\"boat\"}\n```", "stop")))
                .then(Reply.json(200, answer("{\"title\":\"Lake\",\"mood\":\"CALM\",\"objects\":[]}", "stop")));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            StructuredOutput structured = new StructuredOutput(model);
            ChatRequest request = new ChatRequest(List.of(ChatMessage.system("You paint."), ChatMessage.user("Describe")), null);
            assertThat(structured.generate(request, Scene.class)).isEqualTo(new Scene("Sea", Mood.CALM, List.of("boat")));
            assertThat(structured.generate(request, Scene.class)).isEqualTo(new Scene("Lake", Mood.CALM, List.of()));
        }
        assertThat(body(0).at("/response_format/type").asText()).isEqualTo("json_schema");
        assertThat(body(1).at("/response_format/type").asText()).isEqualTo("json_object");
        assertThat(body(1).at("/messages/0/content").asText()).startsWith("You paint.").contains("JSON Schema").contains("\"mood\"");
        assertThat(body(2).has("response_format")).isFalse();
        assertThat(body(2).at("/messages/0/content").asText()).contains("JSON Schema");
        assertThat(body(3).has("response_format")).as("the downgrade is remembered").isFalse();
        assertThat(server.requests).hasSize(4);
    }

    @Test
    void unrelatedBadRequestsDoNotDowngradeJsonMode() throws Exception {
        server.then(Reply.json(400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\"}}"))
                .then(Reply.json(200, answer("{\"title\":\"Sea\",\"mood\":\"CALM\",\"objects\":[]}", "stop")));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            StructuredOutput structured = new StructuredOutput(model);
            ChatRequest request = ChatRequest.of(ChatMessage.user("Describe"));
            assertThatThrownBy(() -> structured.generate(request, Scene.class)).hasMessageContaining("maximum context length");
            assertThat(structured.generate(request, Scene.class).title()).isEqualTo("Sea");
        }
        assertThat(body(1).at("/response_format/type").asText()).isEqualTo("json_schema");
    }

    @Test
    void maxCompletionTokensIsUsedWhenTheServerAsksForIt() throws Exception {
        server.then(Reply.json(400, "{\"error\":{\"message\":\"Unsupported parameter: 'max_tokens' is not supported with this model. "
                        + "Use 'max_completion_tokens' instead.\",\"param\":\"max_tokens\"}}"))
                .then(Reply.json(200, answer("ok", "stop")))
                .then(Reply.json(200, answer("ok again", "stop")));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            ChatRequest request = new ChatRequest(List.of(ChatMessage.user("x")), ChatOptions.DEFAULTS.withMaxTokens(50));
            assertThat(model.chat(request).text()).isEqualTo("ok");
            assertThat(model.chat(request).text()).isEqualTo("ok again");
        }
        assertThat(body(0).get("max_tokens").asInt()).isEqualTo(50);
        assertThat(body(1).has("max_tokens")).isFalse();
        assertThat(body(1).get("max_completion_tokens").asInt()).isEqualTo(50);
        assertThat(body(2).get("max_completion_tokens").asInt()).isEqualTo(50);
    }

    @Test
    void toolCallAnswersYieldTheirArguments() throws Exception {
        server.then(Reply.json(200, "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\",\"function\":{\"name\":\"answer\","
                + "\"arguments\":\"{\\\"title\\\":\\\"Hill\\\",\\\"mood\\\":\\\"CALM\\\",\\\"objects\\\":[]}\"}}]},"
                + "\"finish_reason\":\"tool_calls\"}]}"));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            ChatResponse response = model.chat(ChatRequest.of(ChatMessage.user("x")));
            assertThat(response.text()).isEqualTo("{\"title\":\"Hill\",\"mood\":\"CALM\",\"objects\":[]}");
            assertThat(response.finishReason()).isEqualTo(ChatResponse.FinishReason.STOP);
        }
    }

    @Test
    void rateLimitIsRetriedAfterTheAnnouncedDelay() {
        server.then(new Reply(429, Map.of("Retry-After", "2", "Content-Type", "application/json"),
                        List.of("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}")))
                .then(Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}"))
                .then(Reply.json(200, answer("ok", "stop")));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            assertThat(model.chat(ChatRequest.of(ChatMessage.user("x"))).text()).isEqualTo("ok");
        }
        assertThat(waits).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(200));
        assertThat(server.requests).hasSize(3);
    }

    @Test
    void retryAfterMayBeAnHttpDate() {
        String inFiveSeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(5));
        server.then(new Reply(503, Map.of("Retry-After", inFiveSeconds), List.of("busy")))
                .then(Reply.json(200, answer("ok", "stop")));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            assertThat(model.chat(ChatRequest.of(ChatMessage.user("x"))).text()).isEqualTo("ok");
        }
        assertThat(waits).hasSize(1);
        assertThat(waits.getFirst()).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(5));
    }

    @Test
    void persistentServerErrorsFailAfterTheRetriesWithTheServersMessage() {
        for (int i = 0; i < 4; i++) server.then(Reply.json(500, "{\"error\":{\"message\":\"boom\"}}"));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            assertThatThrownBy(() -> model.chat(ChatRequest.of(ChatMessage.user("x"))))
                    .isInstanceOf(ChatModelException.class)
                    .hasMessageContaining("HTTP 500: boom").hasMessageContaining("after 3 retries")
                    .satisfies(e -> assertThat(((ChatModelException) e).httpStatus()).isEqualTo(500));
        }
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void retryAfterLongerThanAllowedFailsAtOnce() {
        server.then(new Reply(429, Map.of("Retry-After", "3600"), List.of("slow down")));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            assertThatThrownBy(() -> model.chat(ChatRequest.of(ChatMessage.user("x"))))
                    .hasMessageContaining("HTTP 429: slow down").hasMessageContaining("wait 3600 s");
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void clientErrorsMapToAdviceAndNeverShowTheKey() {
        server.then(Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided\",\"code\":\"invalid_api_key\"}}"))
                .then(Reply.json(404, "{\"error\":\"model 'test-model' not found\"}"))
                .then(Reply.json(400, "<html>bad</html>"));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            ChatRequest r = ChatRequest.of(ChatMessage.user("x"));
            assertThatThrownBy(() -> model.chat(r)).hasMessageContaining("refused the API key from TEST_KEY")
                    .hasMessageContaining("Incorrect API key provided").message().doesNotContain(KEY);
            assertThatThrownBy(() -> model.chat(r)).hasMessageContaining("does not know model 'test-model'")
                    .hasMessageContaining("model 'test-model' not found");
            assertThatThrownBy(() -> model.chat(r)).hasMessageContaining("rejected the request (HTTP 400: <html>bad</html>)");
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void missingKeyIsNamedWhenTheServerWantsOne() {
        server.then(Reply.json(401, "{\"error\":{\"message\":\"missing key\"}}"));
        var settings = OpenAiSettings.of(server.baseUrl(), "m", "UNSET_KEY_VAR");
        try (var model = new OpenAiChatModel(settings, name -> null, waits::add)) {
            assertThatThrownBy(() -> model.chat(ChatRequest.of(ChatMessage.user("x"))))
                    .hasMessageContaining("requires an API key").hasMessageContaining("UNSET_KEY_VAR");
        }
        assertThat(server.requests.getFirst().header("Authorization")).isNull();
    }

    @Test
    void unreachableServerIsReportedAfterRetries() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        var settings = OpenAiSettings.of(URI.create("http://127.0.0.1:" + port + "/v1"), "m", null)
                .withRetries(2, Duration.ofMillis(1), Duration.ofSeconds(1));
        try (var model = new OpenAiChatModel(settings, name -> null, waits::add)) {
            assertThatThrownBy(() -> model.chat(ChatRequest.of(ChatMessage.user("x"))))
                    .isInstanceOf(ChatModelException.class)
                    .hasMessageContaining("Could not reach the chat server at http://127.0.0.1:" + port + "/v1/chat/completions");
        }
        assertThat(waits).hasSize(2);
    }

    @Test
    void lengthFinishIsReportedAndNonJsonBodiesAreExplained() {
        server.then(Reply.json(200, answer("truncat", "length"))).then(Reply.json(200, "<html>login</html>"));
        try (var model = model(OpenAiSettings.JsonMode.JSON_SCHEMA)) {
            assertThat(model.chat(ChatRequest.of(ChatMessage.user("x"))).finishReason()).isEqualTo(ChatResponse.FinishReason.LENGTH);
            assertThatThrownBy(() -> model.chat(ChatRequest.of(ChatMessage.user("x")))).hasMessageContaining("not JSON");
        }
    }

    @Test
    void errorMessagesComeFromCommonBodyShapes() {
        assertThat(OpenAiChatModel.errorMessage("{\"message\":\"plain\"}")).isEqualTo("plain");
        assertThat(OpenAiChatModel.errorMessage("")).isEqualTo("no details");
    }
}
