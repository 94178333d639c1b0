package dev.atelier.app.server;

import dev.atelier.diffusion.pipeline.SamplingDefaults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.pipeline.GenerationMetadata;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.PipelineSettings;
import dev.atelier.diffusion.pipeline.StableDiffusionPipeline;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier serve} over loopback HTTP, on the analytic toy pipeline (64×64 images, 8×8 latents). */
class AtelierServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    static Path model;
    static StableDiffusionPipeline pipeline;
    static AtelierServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        model = ToyPipeline.write(tmp.resolve("toy-sd15"), Spec.sd15());
        pipeline = StableDiffusionPipeline.load(model, PipelineSettings.defaults());
        server = AtelierServer.start(pipeline, model, null, new AtelierServer.Settings("127.0.0.1", 0, 4));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (pipeline != null) pipeline.close();
    }

    private static URI uri(AtelierServer on, String path) {
        return URI.create("http://127.0.0.1:" + on.port() + path);
    }

    private static HttpResponse<String> post(AtelierServer on, String path, String body) throws Exception {
        return http.send(postRequest(on, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest postRequest(AtelierServer on, String path, String body) {
        return HttpRequest.newBuilder(uri(on, path)).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<String> get(AtelierServer on, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(on, path)).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static BufferedImage image(String base64) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
    }

    private static Map<String, String> pngText(String base64) throws Exception {
        Path file = Files.createTempFile(tmp, "out", ".png");
        Files.write(file, Base64.getDecoder().decode(base64));
        return PngFiles.readText(file);
    }

    /** Without guidance the toy pipeline paints the whole image in the prompt's colour. */
    private static void assertToyColour(BufferedImage image, String colour) {
        float[] expected = ToyPipeline.COLOURS.get(colour);
        int p = image.getRGB(30, 30);
        int[] rgb = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
        for (int c = 0; c < 3; c++) {
            assertThat(rgb[c]).as("channel " + c).isCloseTo(Math.round((expected[c] + 1) * 127.5f), within(1));
        }
    }

    /** A server-sent event as read off the wire. */
    private record SseEvent(String name, JsonNode data) {}

    private static List<SseEvent> readEvents(HttpRequest request) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
        List<SseEvent> events = new ArrayList<>();
        String name = null;
        try (var lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("event: ")) name = line.substring(7);
                else if (line.startsWith("data: ")) events.add(new SseEvent(name, JSON.readTree(line.substring(6))));
            }
        }
        return events;
    }

    @Test
    void generateAnswersPngsOfThePromptColourWithTheRequestInTheirMetadata() throws Exception {
        var response = post(server, "/api/generate", """
                {"prompt": "a red cat", "negativePrompt": "blue", "steps": 3, "scheduler": "ddim", "guidance": 1.0,
                 "seed": 77, "batch": 2}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        JsonNode body = json(response);
        assertThat(body.get("seeds").toString()).isEqualTo("[77,78]");
        assertThat(body.get("images")).hasSize(2);
        assertThat(body.get("model").asText()).isEqualTo("toy-sd15");
        assertThat(body.get("timings").get("totalMs").asLong()).isGreaterThanOrEqualTo(0);
        String png = body.get("images").get(1).get("png").asText();
        BufferedImage image = image(png);
        assertThat(image.getWidth()).isEqualTo(64);
        assertToyColour(image, "red");
        Map<String, String> text = pngText(png);
        assertThat(text.get(GenerationMetadata.PARAMETERS_KEY)).startsWith("a red cat\nNegative prompt: blue\nSteps: 3, Sampler: DDIM")
                .contains("Seed: 78", "Model: toy-sd15");
        GenerationRequest stored = GenerationMetadata.fromJson(text.get(GenerationMetadata.REQUEST_KEY));
        assertThat(stored.prompt()).isEqualTo("a red cat");
        assertThat(stored.seed()).isEqualTo(78);
        assertThat(stored.steps()).isEqualTo(3);
        assertThat(stored.model()).isEqualTo(model.toAbsolutePath().normalize().toString());
    }

    @Test
    void openAiImageGenerationsAnswerInTheImagesApiShape() throws Exception {
        var response = post(server, "/v1/images/generations",
                "{\"model\": \"whatever\", \"prompt\": \"green\", \"n\": 2, \"size\": \"64x64\", \"response_format\": \"b64_json\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000, within(120L));
        assertThat(body.get("data")).hasSize(2);
        BufferedImage image = image(body.get("data").get(0).get("b64_json").asText());
        assertThat(image.getWidth()).isEqualTo(64);
        assertThat(image.getHeight()).isEqualTo(64);
        assertThat(pngText(body.get("data").get(0).get("b64_json").asText()).get(GenerationMetadata.PARAMETERS_KEY)).startsWith("green\n");
    }

    @Test
    void openAiErrorsUseTheOpenAiErrorShape() throws Exception {
        var badSize = post(server, "/v1/images/generations", "{\"prompt\": \"green\", \"size\": \"huge\"}");
        assertThat(badSize.statusCode()).isEqualTo(400);
        JsonNode error = json(badSize).get("error");
        assertThat(error.get("message").asText()).contains("WIDTHxHEIGHT");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_size");

        var url = post(server, "/v1/images/generations", "{\"prompt\": \"green\", \"response_format\": \"url\"}");
        assertThat(url.statusCode()).isEqualTo(400);
        assertThat(json(url).get("error").get("code").asText()).isEqualTo("unsupported_response_format");
    }

    @Test
    void generateTakesTheNoiseGeneratorAndStoresItAndRefusesUnknownOnes() throws Exception {
        String body = "{\"prompt\": \"green\", \"steps\": 2, \"guidance\": 1, \"seed\": 3, \"noise\": \"%s\"}";
        var atelier = post(server, "/api/generate", body.formatted("atelier"));
        assertThat(atelier.statusCode()).as(atelier.body()).isEqualTo(200);
        Map<String, String> text = pngText(json(atelier).get("images").get(0).get("png").asText());
        assertThat(GenerationMetadata.fromJson(text.get(GenerationMetadata.REQUEST_KEY)).noise())
                .isEqualTo(NoiseKind.ATELIER);
        var unnamed = post(server, "/api/generate", "{\"prompt\": \"green\", \"steps\": 2, \"guidance\": 1}");
        Map<String, String> defaults = pngText(json(unnamed).get("images").get(0).get("png").asText());
        assertThat(GenerationMetadata.fromJson(defaults.get(GenerationMetadata.REQUEST_KEY)).noise())
                .isEqualTo(NoiseKind.TORCH_CPU);
        var bad = post(server, "/api/generate", body.formatted("dice"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid_noise", "torch-cpu");
    }

    @Test
    void modelsListTheLoadedModel() throws Exception {
        var response = get(server, "/v1/models");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("data")).hasSize(1);
        assertThat(body.get("data").get(0).get("id").asText()).isEqualTo("toy-sd15");
        assertThat(body.get("data").get(0).get("object").asText()).isEqualTo("model");
    }

    @Test
    void streamDeliversIncreasingProgressWithPreviewsThenTheResult() throws Exception {
        List<SseEvent> events = readEvents(postRequest(server, "/api/generate?stream=true",
                "{\"prompt\": \"blue\", \"steps\": 6, \"guidance\": 1, \"seed\": 3, \"previewEvery\": 2}"));

        assertThat(events.getFirst().name()).isEqualTo("queued");
        assertThat(events.getLast().name()).isEqualTo("result");
        List<SseEvent> progress = events.stream().filter(e -> e.name().equals("progress")).toList();
        assertThat(progress).extracting(e -> e.data().get("step").asInt()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(progress).allSatisfy(e -> assertThat(e.data().get("total").asInt()).isEqualTo(6));
        // previews at steps 2 and 4 (the last step's picture is the result itself), at latent size
        assertThat(progress).filteredOn(e -> e.data().has("preview")).extracting(e -> e.data().get("step").asInt())
                .containsExactly(2, 4);
        assertThat(image(progress.get(1).data().get("preview").asText()).getWidth()).isEqualTo(8);
        JsonNode result = events.getLast().data();
        assertThat(result.get("seeds").toString()).isEqualTo("[3]");
        assertToyColour(image(result.get("images").get(0).get("png").asText()), "blue");
    }

    @Test
    void aSubmittedJobsEventsCanBeFollowedByItsId() throws Exception {
        var submitted = post(server, "/api/jobs", "{\"prompt\": \"red\", \"steps\": 2, \"guidance\": 1, \"seed\": 9}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String id = json(submitted).get("id").asText();
        assertThat(json(submitted).get("events").asText()).isEqualTo("/api/jobs/" + id + "/events");

        List<SseEvent> events = readEvents(HttpRequest.newBuilder(uri(server, "/api/jobs/" + id + "/events")).timeout(TIMEOUT).build());

        assertThat(events).extracting(SseEvent::name).containsExactly("queued", "progress", "progress", "result");
        assertThat(events.getLast().data().get("id").asText()).isEqualTo(id);

        var unknown = get(server, "/api/jobs/no-such-job/events");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").get("message").asText()).contains("no-such-job");
    }

    @Test
    void aFullQueueAnswers429WithRetryAfterAndTheQueuedRendersStillFinish() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (AtelierServer small = AtelierServer.start(pipeline, model, null, new AtelierServer.Settings("127.0.0.1", 0, 1, () -> {
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("the test never opened the gate");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }))) {
            String body = "{\"prompt\": \"red\", \"steps\": 1, \"guidance\": 1}";
            CompletableFuture<HttpResponse<String>> running = http.sendAsync(postRequest(small, "/api/generate", body), HttpResponse.BodyHandlers.ofString());
            awaitHealth(small, true, 0);
            CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(postRequest(small, "/api/generate", body), HttpResponse.BodyHandlers.ofString());
            awaitHealth(small, true, 1);

            var refused = post(small, "/v1/images/generations", "{\"prompt\": \"red\"}");

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).contains(Integer.toString(QueueFullException.RETRY_AFTER_SECONDS));
            JsonNode error = json(refused).get("error");
            assertThat(error.get("code").asText()).isEqualTo("queue_full");
            assertThat(error.get("message").asText()).contains("queue is full", "retry");
            gate.countDown();
            assertThat(running.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(waiting.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    /** Polls {@code /health} (bounded) until the worker's state is as given. */
    private static void awaitHealth(AtelierServer on, boolean busy, int waiting) throws Exception {
        JsonNode health = null;
        for (int i = 0; i < 500; i++) {
            health = json(get(on, "/health"));
            if (health.get("busy").asBoolean() == busy && health.get("waiting").asInt() == waiting) return;
            Thread.sleep(20);
        }
        throw new AssertionError("the server never reached busy=" + busy + ", waiting=" + waiting + ": " + health);
    }

    @Test
    void badInputIsA400WithAMessageThatSaysWhatIsWrong() throws Exception {
        Map<String, String> cases = Map.of(
                "{\"prompt\": \"red\"", "not valid JSON",
                "[1, 2]", "must be a JSON object",
                "{\"prompt\": \"red\", \"scheduler\": \"warp-drive\"}", "unknown scheduler \"warp-drive\"; choose one of: ddim",
                "{\"prompt\": \"red\", \"width\": 100000, \"height\": 64}", "width must be a multiple of 8 from 64 to 2048",
                "{\"prompt\": \"red\", \"width\": 70}", "width must be a multiple of 8",
                "{\"steps\": 3}", "\"prompt\" is required",
                "{\"prompt\": \"red\", \"stpes\": 3}", "unknown field \"stpes\"",
                "{\"prompt\": \"red\", \"steps\": \"many\"}", "\"steps\" must be a whole number from 1 to 200",
                "{\"prompt\": \"red\", \"guidance\": -1}", "\"guidance\" must be a number from 0");
        for (var c : cases.entrySet()) {
            var response = post(server, "/api/generate", c.getKey());
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            JsonNode error = json(response).get("error");
            assertThat(error.get("message").asText()).as(c.getKey()).contains(c.getValue());
            assertThat(response.body()).doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void unknownEndpointsAnswerInTheErrorShape() throws Exception {
        var response = get(server, "/api/generate");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").get("code").asText()).isEqualTo("not_found");
    }

    @Test
    void aFailingRenderIsA500ThatKeepsItsDetailsInTheServerLog() throws Exception {
        RequestDefaults defaults = new RequestDefaults(model.toString(), 64, null, new SamplingDefaults(false, false));
        RenderQueue.Renderer broken = (request, callback) -> {
            throw new IllegalStateException("secret detail of a broken session");
        };
        try (AtelierServer failing = AtelierServer.start(broken, defaults, "broken", null, new AtelierServer.Settings("127.0.0.1", 0, 1))) {
            var plain = post(failing, "/api/generate", "{\"prompt\": \"red\"}");
            assertThat(plain.statusCode()).isEqualTo(500);
            assertThat(json(plain).get("error").get("message").asText()).contains("server log");
            assertThat(plain.body()).doesNotContain("secret", "IllegalStateException");

            List<SseEvent> events = readEvents(postRequest(failing, "/api/generate?stream=true", "{\"prompt\": \"red\"}"));
            assertThat(events).extracting(SseEvent::name).containsExactly("queued", "error");
            assertThat(events.getLast().data().get("error").get("code").asText()).isEqualTo("internal_error");
        }
    }

    @Test
    void theWebPageIsServedAtTheRoot() throws Exception {
        var response = get(server, "/");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
        assertThat(response.body()).contains("<title>Atelier</title>", "/api/generate?stream=true", "<progress");
    }

    @Test
    void healthNamesTheModelAndTheQueue() throws Exception {
        JsonNode health = json(get(server, "/health"));
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("model").asText()).isEqualTo("toy-sd15");
        assertThat(health.get("queueCapacity").asInt()).isEqualTo(4);
        assertThat(health.get("planner").asBoolean()).isFalse();
    }

    @Test
    void planWithoutALanguageModelSaysHowToGetOne() throws Exception {
        var response = post(server, "/api/plan", "{\"prompt\": \"two cats\"}");
        assertThat(response.statusCode()).isEqualTo(501);
        assertThat(json(response).get("error").get("message").asText()).contains("--llm");
    }

    /** A chat model that gives scripted answers in order. */
    private static final class Scripted implements ChatModel {
        private final Deque<String> answers;

        Scripted(String... answers) { this.answers = new ArrayDeque<>(List.of(answers)); }

        @Override
        public synchronized ChatResponse chat(ChatRequest request) {
            if (answers.isEmpty()) throw new AssertionError("asked more than scripted");
            return ChatResponse.of(answers.poll());
        }

        @Override
        public String name() { return "scripted"; }
    }

    @Test
    void planAnswersThePlanJson() throws Exception {
        Scripted llm = new Scripted(
                "{\"reason\": \"new picture\", \"kind\": \"generate\"}",
                "{\"reasoning\": \"r\", \"prompt\": \"two cats on a red sofa, one black, one white\", \"rows\": [{\"height\": 1, \"regions\": ["
                        + "{\"width\": 1, \"prompt\": \"a black cat\"}, {\"width\": 1, \"prompt\": \"a white cat\"}]}],"
                        + " \"basePrompt\": \"two cats\", \"baseRatio\": 0.3}");
        try (AtelierServer planning = AtelierServer.start(pipeline, model, llm, new AtelierServer.Settings("127.0.0.1", 0, 1))) {
            var response = post(planning, "/api/plan", "{\"prompt\": \"two cats on a red sofa, one black, one white\"}");

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(PlanJson.read(response.body())).isInstanceOfSatisfying(GeneratePlan.class,
                    plan -> assertThat(plan.basePrompt()).isEqualTo("two cats"));
        }
    }
}
