package dev.atelier.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.json.SchemaField;
import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatModelException;
import dev.atelier.llm.ChatModels;
import dev.atelier.llm.ChatOptions;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import dev.atelier.llm.structured.StructuredOutput;
import dev.atelier.llm.structured.StructuredOutputException;
import dev.atelier.testkit.gguf.TinyLlamaGguf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process backend on a tiny random GGUF model: gibberish content, but structure by grammar. */
class LlamaChatModelTest {

    enum Kind { PERSON, ANIMAL, OBJECT }

    enum Style { PHOTO, PAINTING }

    // llama.cpp grammars bound integers but not other numbers, so only the integer carries bounds here.
    record Box(double x, @SchemaField(minimum = 0, maximum = 9) int weight, boolean locked) {}

    record Region(@SchemaField(maxLength = 6) String prompt, Kind kind, @SchemaField(maxItems = 2) List<Box> boxes) {}

    record Plan(@SchemaField(maxLength = 8) String prompt, Style style, int steps,
                @SchemaField(minItems = 1, maxItems = 3) List<Region> regions,
                @SchemaField(maxItems = 3) List<@SchemaField(maxLength = 4) String> tags) {}

    /** Component names that are also JSON Schema keywords. */
    record Keywords(Kind type, @SchemaField(maxLength = 3) String pattern, @SchemaField(maxItems = 1) List<Kind> properties) {}

    @TempDir
    static Path dir;
    static LlamaChatModel model;

    @BeforeAll
    static void open() throws Exception {
        Path gguf = TinyLlamaGguf.defaults().withSeed(11).writeTo(dir.resolve("tiny.gguf"));
        model = new LlamaChatModel(LlamaSettings.of(gguf).withContextSize(2048).withThreads(2));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    static ChatRequest request(String user, ChatOptions options) {
        return new ChatRequest(List.of(ChatMessage.system("You plan pictures."), ChatMessage.user(user)), options);
    }

    @Test
    void structuredOutputWithNestedListsAndEnumsParsesForEverySeed() {
        StructuredOutput structured = new StructuredOutput(model, 1); // no retries: valid by construction
        Set<Plan> distinct = new HashSet<>();
        for (long seed = 1; seed <= 16; seed++) {
            ChatOptions options = ChatOptions.DEFAULTS.withTemperature(1.0).withSeed(seed).withMaxTokens(600);
            Plan plan = structured.generate(request("a cat on a sofa #" + seed, options), Plan.class);
            assertThat(plan.prompt().length()).isLessThanOrEqualTo(8);
            assertThat(plan.style()).isNotNull();
            assertThat(plan.regions()).hasSizeBetween(1, 3);
            for (Region r : plan.regions()) {
                assertThat(r.kind()).isNotNull();
                assertThat(r.boxes()).hasSizeLessThanOrEqualTo(2);
                for (Box b : r.boxes()) assertThat(b.weight()).isBetween(0, 9);
            }
            assertThat(plan.tags()).hasSizeLessThanOrEqualTo(3);
            distinct.add(plan);
        }
        assertThat(distinct).as("different seeds sample different plans").hasSizeGreaterThan(8);
    }

    @Test
    void propertiesNamedLikeSchemaKeywordsWork() {
        Keywords k = new StructuredOutput(model, 1).generate(
                request("k", ChatOptions.DEFAULTS.withSeed(4).withTemperature(1.0).withMaxTokens(200)), Keywords.class);
        assertThat(k.type()).isNotNull();
        assertThat(k.pattern().length()).isLessThanOrEqualTo(3);
        assertThat(k.properties()).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void streamingDeliversTheSameTextAsTheNonStreamingCall() {
        ChatOptions options = ChatOptions.DEFAULTS.withTemperature(0.9).withSeed(5).withMaxTokens(40);
        ChatResponse whole = model.chat(request("Say something", options));
        List<String> pieces = new ArrayList<>();
        ChatResponse streamed = model.stream(request("Say something", options), pieces::add);
        assertThat(pieces.size()).isGreaterThan(3);
        assertThat(String.join("", pieces)).isEqualTo(streamed.text());
        assertThat(streamed.text()).isEqualTo(whole.text()).isNotEmpty();
        assertThat(streamed.finishReason()).isEqualTo(whole.finishReason());
        assertThat(streamed.promptTokens()).isEqualTo(whole.promptTokens()).isGreaterThan(10);
    }

    @Test
    void aConsumerThatThrowsStopsGenerationAndTheModelStaysUsable() {
        ChatOptions options = ChatOptions.DEFAULTS.withSeed(8).withMaxTokens(200);
        List<String> seen = new ArrayList<>();
        assertThatThrownBy(() -> model.stream(request("go", options), piece -> {
            seen.add(piece);
            if (seen.size() == 3) throw new IllegalStateException("enough");
        })).isInstanceOf(IllegalStateException.class).hasMessage("enough");
        assertThat(seen).hasSize(3);
        ChatResponse after = model.chat(request("go", options.withMaxTokens(5)));
        assertThat(after.finishReason()).isEqualTo(ChatResponse.FinishReason.LENGTH);
    }

    @Test
    void tooSmallTokenLimitIsReportedClearly() {
        ChatOptions tight = ChatOptions.DEFAULTS.withTemperature(1.0).withSeed(3).withMaxTokens(6);
        ChatResponse plain = model.chat(request("Talk", tight.withStop(List.of())));
        assertThat(plain.finishReason()).isEqualTo(ChatResponse.FinishReason.LENGTH);
        assertThat(plain.completionTokens()).isEqualTo(6);

        assertThatThrownBy(() -> new StructuredOutput(model, 3).generate(request("Plan", tight), Plan.class))
                .isInstanceOfSatisfying(StructuredOutputException.class, e -> {
                    assertThat(e.truncated()).isTrue();
                    assertThat(e.attempts()).isEqualTo(1);
                    assertThat(e.rawText()).startsWith("{");
                    assertThat(e.getMessage()).contains("cut off by the token limit (max tokens 6)");
                });
    }

    @Test
    void promptIsBuiltWithTheModelsChatTemplate() {
        String prompt = model.prompt(new ChatRequest(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello"), ChatMessage.user("Draw")), null));
        assertThat(prompt).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello<|im_end|>\n<|im_start|>user\nDraw<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void imagesAndUnconvertibleSchemasAreRefusedWithoutCrashing() {
        var withImage = ChatRequest.of(new ChatMessage(ChatMessage.Role.USER,
                List.of(new ChatMessage.Text("see"), new ChatMessage.Image(new byte[] {1}, "image/png"))));
        assertThatThrownBy(() -> model.chat(withImage)).isInstanceOf(ChatModelException.class).hasMessageContaining("cannot read images");

        var externalRef = request("x", ChatOptions.DEFAULTS.withJsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"https://example.com/s.json\"}}}"));
        assertThatThrownBy(() -> model.chat(externalRef)).isInstanceOf(ChatModelException.class).hasMessageContaining("only local references");
        var unanchored = request("x", ChatOptions.DEFAULTS.withJsonSchema("{\"type\":\"string\",\"pattern\":\"[a-z]+\"}"));
        assertThatThrownBy(() -> model.chat(unanchored)).hasMessageContaining("anchored");
        var unknownType = request("x", ChatOptions.DEFAULTS.withJsonSchema("{\"type\":\"date\"}"));
        assertThatThrownBy(() -> model.chat(unknownType)).hasMessageContaining("not a JSON Schema type");
        var fullIntRange = request("x", ChatOptions.DEFAULTS.withMaxTokens(20).withSeed(2).withJsonSchema(
                "{\"type\":\"integer\",\"minimum\":-2147483648,\"maximum\":2147483647}"));
        assertThat(model.chat(fullIntRange).text()).matches("-?\\d+\\s*");
        var notJson = request("x", ChatOptions.DEFAULTS.withJsonSchema("{type: object"));
        assertThatThrownBy(() -> model.chat(notJson)).hasMessageContaining("not valid JSON");
        // the model still works afterwards
        assertThat(model.chat(request("x", ChatOptions.DEFAULTS.withMaxTokens(3).withSeed(1))).text()).isNotNull();
    }

    @Test
    void missingFileAndModelSpecsAreHandled() throws Exception {
        assertThatThrownBy(() -> new LlamaChatModel(LlamaSettings.of(dir.resolve("absent.gguf"))))
                .isInstanceOf(ChatModelException.class).hasMessageContaining("GGUF model file not found");
        Path other = TinyLlamaGguf.defaults().withSeed(2).withLayers(1).writeTo(dir.resolve("other.gguf"));
        try (ChatModel opened = ChatModels.open("gguf:" + other + "?ctx=256&threads=1")) {
            assertThat(opened).isInstanceOf(LlamaChatModel.class);
            assertThat(((LlamaChatModel) opened).settings().contextSize()).isEqualTo(256);
            assertThat(opened.name()).isEqualTo("gguf:other.gguf");
            var tooLong = request("word ".repeat(300), ChatOptions.DEFAULTS);
            assertThatThrownBy(() -> opened.chat(tooLong)).hasMessageContaining("context holds 256");
        }
    }
}
