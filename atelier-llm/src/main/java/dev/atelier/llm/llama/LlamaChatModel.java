package dev.atelier.llm.llama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatModelException;
import dev.atelier.llm.ChatOptions;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GGUF model run in process by llama.cpp (through {@code de.kherud:llama}). The prompt is built with the model's
 * own chat template; a JSON Schema in the options becomes a llama.cpp grammar, so the answer is valid JSON for it by
 * construction (unless the token limit cuts it off); the prompt cache keeps the evaluated prefix between calls, so a
 * fixed system prompt is read once. Calls are serialised: one model, one conversation at a time.
 *
 * <p>de.kherud:llama 4.2.0 leaves a non-daemon native thread running after {@link #close()}
 * (kherud/java-llama.cpp#116): a program that used this class must end with {@code System.exit}.
 */
public final class LlamaChatModel implements ChatModel {

    private static final Logger LOG = LoggerFactory.getLogger(LlamaChatModel.class);
    private static final Logger NATIVE_LOG = LoggerFactory.getLogger("dev.atelier.llm.llama.native");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final LlamaSettings settings;
    private final LlamaModel model;
    private final Map<String, String> grammarCache = new ConcurrentHashMap<>();
    private boolean closed;

    public LlamaChatModel(LlamaSettings settings) {
        this.settings = settings;
        if (!Files.isRegularFile(settings.modelPath())) {
            throw new ChatModelException("GGUF model file not found: " + settings.modelPath().toAbsolutePath()
                    + ". Check the path in the model spec (gguf:/path/model.gguf) or download the model first.");
        }
        NativeLlama.prepare();
        ModelParameters params = new ModelParameters()
                .setModel(settings.modelPath().toAbsolutePath().toString())
                .setCtxSize(settings.contextSize())
                .setThreads(settings.threads())
                .setThreadsBatch(settings.threads())
                .setParallel(1);
        if (settings.gpuLayers() > 0) params.setGpuLayers(settings.gpuLayers()); // CPU builds warn about any value
        // llama.cpp writes its log straight to stderr, bypassing SLF4J; it stays off unless this logger is at trace.
        if (!NATIVE_LOG.isTraceEnabled()) params.disableLog();
        long start = System.nanoTime();
        try {
            this.model = new LlamaModel(params);
        } catch (UnsatisfiedLinkError e) {
            throw new ChatModelException("The llama.cpp native library could not be loaded on this machine (" + e.getMessage()
                    + "). Use an OpenAI-compatible server instead (openai:... or ollama:...), or run on a supported platform "
                    + "(Linux/macOS/Windows on x86_64 or aarch64).", e);
        } catch (RuntimeException e) {
            throw new ChatModelException("llama.cpp could not load " + settings.modelPath() + " (" + e.getMessage()
                    + "). Check that the file is a complete GGUF model of an architecture llama.cpp supports.", e);
        }
        LOG.info("loaded {} in {} ms (context {}, threads {}, GPU layers {})", settings.modelPath().getFileName(),
                (System.nanoTime() - start) / 1_000_000, settings.contextSize(), settings.threads(), settings.gpuLayers());
    }

    @Override
    public String name() { return "gguf:" + settings.modelPath().getFileName(); }

    public LlamaSettings settings() { return settings; }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return stream(request, piece -> {});
    }

    @Override
    public synchronized ChatResponse stream(ChatRequest request, Consumer<String> onToken) {
        if (closed) throw new ChatModelException("This llama.cpp model was closed; open it again from its model spec.");
        String prompt = prompt(request);
        int promptTokens = model.encode(prompt).length;
        int maxTokens = maxTokens(request.options(), promptTokens);
        InferenceParameters params = inference(prompt, request.options(), maxTokens);
        StringBuilder text = new StringBuilder();
        int pieces = 0;
        LlamaIterator it = model.generate(params).iterator();
        while (true) {
            LlamaOutput out;
            try {
                if (!it.hasNext()) break;
                out = it.next();
            } catch (RuntimeException e) {
                it.cancel();
                throw new ChatModelException("llama.cpp failed while generating (" + e.getMessage() + ").", e);
            }
            if (it.hasNext()) pieces++; // the last event closes the stream and stands for no token
            if (!out.text.isEmpty()) {
                text.append(out.text);
                try {
                    onToken.accept(out.text);
                } catch (RuntimeException | Error callerFailure) {
                    it.cancel(); // stop generating for a caller that gave up; its exception is its own
                    throw callerFailure;
                }
            }
        }
        // One streamed piece per sampled token (bytes of one UTF-8 character may share a piece), end token included.
        String answer = text.toString();
        int generated = Math.max(pieces, answer.isEmpty() ? 0 : model.encode(answer).length - 1);
        ChatResponse.FinishReason finish = generated >= maxTokens ? ChatResponse.FinishReason.LENGTH : ChatResponse.FinishReason.STOP;
        return new ChatResponse(answer, finish, promptTokens, Math.min(generated, maxTokens));
    }

    /** The conversation rendered by the model's chat template, ending where the assistant's answer begins. */
    String prompt(ChatRequest request) {
        StringBuilder system = new StringBuilder();
        List<Pair<String, String>> turns = new ArrayList<>();
        for (ChatMessage m : request.messages()) {
            if (m.hasImages()) {
                throw new ChatModelException("The in-process llama.cpp backend cannot read images. Use a vision model behind an "
                        + "OpenAI-compatible server for image input (for example ollama:qwen2.5vl:7b).");
            }
            if (m.role() == ChatMessage.Role.SYSTEM) {
                if (!system.isEmpty()) system.append("\n\n");
                system.append(m.text());
            } else {
                turns.add(new Pair<>(m.role().name().toLowerCase(Locale.ROOT), m.text()));
            }
        }
        if (turns.isEmpty()) throw new ChatModelException("A chat request needs at least one user message.");
        InferenceParameters templateParams = new InferenceParameters("")
                .setMessages(system.isEmpty() ? null : system.toString(), turns)
                .setUseChatTemplate(true);
        try {
            return model.applyTemplate(templateParams);
        } catch (RuntimeException e) {
            throw new ChatModelException("The chat template of " + settings.modelPath().getFileName() + " could not format the conversation ("
                    + e.getMessage() + "). Use a chat/instruct GGUF whose metadata carries a chat template.", e);
        }
    }

    private int maxTokens(ChatOptions options, int promptTokens) {
        int room = settings.contextSize() - promptTokens;
        if (room <= 0) {
            throw new ChatModelException("The conversation needs " + promptTokens + " tokens but the context holds "
                    + settings.contextSize() + ". Raise the context size (gguf:...?ctx=N) or shorten the prompt.");
        }
        int wanted = options.maxTokens() != null ? options.maxTokens() : settings.defaultMaxTokens();
        if (wanted < 1) throw new ChatModelException("maxTokens must be at least 1, not " + wanted + ".");
        return Math.min(wanted, room);
    }

    private InferenceParameters inference(String prompt, ChatOptions o, int maxTokens) {
        InferenceParameters p = new InferenceParameters(prompt)
                .setCachePrompt(true)
                .setNPredict(maxTokens);
        if (o.temperature() != null) p.setTemperature(o.temperature().floatValue());
        if (o.topP() != null) p.setTopP(o.topP().floatValue());
        if (o.seed() != null) p.setSeed((int) (o.seed() ^ (o.seed() >>> 32)) & Integer.MAX_VALUE);
        if (!o.stop().isEmpty()) p.setStopStrings(o.stop().toArray(String[]::new));
        if (o.jsonSchema() != null) p.setGrammar(grammarCache.computeIfAbsent(o.jsonSchema(), LlamaChatModel::grammarFor));
        return p;
    }

    /**
     * The llama.cpp grammar for a JSON Schema. The native converter aborts the whole process on schemas it cannot
     * handle, so anything it would choke on is refused (or adjusted) here first.
     */
    static String grammarFor(String schemaText) {
        JsonNode schema;
        try {
            schema = MAPPER.readTree(schemaText);
        } catch (JsonProcessingException e) {
            throw new ChatModelException("The JSON Schema for structured output is not valid JSON (" + e.getOriginalMessage() + ").", e);
        }
        if (schema == null || !schema.isObject()) {
            throw new ChatModelException("The JSON Schema for structured output must be a JSON object.");
        }
        JsonNode safe = schema.deepCopy();
        makeConvertible(safe, "$");
        NativeLlama.prepare();
        return LlamaModel.jsonSchemaToGrammar(safe.toString());
    }

    private static final Set<String> KNOWN_TYPES = Set.of("string", "number", "integer", "boolean", "object", "array", "null");
    private static final List<String> INTEGER_BOUNDS = List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
    private static final Set<String> SCHEMA_MAPS = Set.of("properties", "$defs", "definitions", "patternProperties", "dependentSchemas");

    private static void makeConvertible(JsonNode node, String path) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) makeConvertible(node.get(i), path + "[" + i + "]");
            return;
        }
        if (!node.isObject()) return;
        ObjectNode object = (ObjectNode) node;
        JsonNode ref = object.get("$ref");
        if (ref != null && !(ref.isTextual() && ref.asText().startsWith("#/"))) {
            throw new ChatModelException("The JSON Schema uses " + path + ".$ref = " + ref
                    + "; only local references (#/...) can become a llama.cpp grammar. Inline the referenced schema.");
        }
        JsonNode pattern = object.get("pattern");
        if (pattern != null && pattern.isTextual() && !(pattern.asText().startsWith("^") && pattern.asText().endsWith("$"))) {
            throw new ChatModelException("The JSON Schema's pattern at " + path + " must be anchored with ^ and $ for a llama.cpp grammar.");
        }
        JsonNode type = object.get("type");
        if (type != null) {
            for (JsonNode t : type.isArray() ? type : JsonNodeFactory.instance.arrayNode().add(type)) {
                if (!t.isTextual() || !KNOWN_TYPES.contains(t.asText())) {
                    throw new ChatModelException("The JSON Schema at " + path + " has type " + t + ", which is not a JSON Schema type "
                            + KNOWN_TYPES + ".");
                }
            }
            if (type.isTextual() && type.asText().equals("integer")) {
                // The converter reads integer bounds as C ints and takes INT_MIN/INT_MAX to mean "no bound";
                // clamp just inside them so a full int range stays a bounded grammar.
                for (String key : INTEGER_BOUNDS) {
                    JsonNode bound = object.get(key);
                    if (bound != null && bound.isNumber()) {
                        double v = Math.max(Integer.MIN_VALUE + 1.0, Math.min(Integer.MAX_VALUE - 1.0, bound.doubleValue()));
                        object.put(key, (int) (key.startsWith("exclusiveMin") || key.equals("minimum") ? Math.ceil(v) : Math.floor(v)));
                    } else if (bound != null) {
                        object.remove(key);
                    }
                }
            }
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String key = field.getKey();
            if (SCHEMA_MAPS.contains(key) && field.getValue().isObject()) {
                // name -> schema maps: the names are data (a property may well be called "type")
                for (Map.Entry<String, JsonNode> named : field.getValue().properties()) {
                    makeConvertible(named.getValue(), path + "." + key + "." + named.getKey());
                }
            } else if (!key.equals("enum") && !key.equals("const") && !key.equals("default") && !key.equals("examples")) {
                makeConvertible(field.getValue(), path + "." + key);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }
}
