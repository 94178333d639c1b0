package dev.atelier.bench.llm;

import dev.atelier.llm.ChatMessage;
import dev.atelier.llm.ChatOptions;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import dev.atelier.llm.llama.LlamaChatModel;
import dev.atelier.llm.llama.LlamaSettings;
import dev.atelier.testkit.gguf.TinyLlamaGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Time-to-first-token and generation speed of the in-process llama.cpp backend. Without arguments it runs the test
 * kit's tiny random model; {@code --model file.gguf} measures a real one.
 *
 * <pre>
 * java -cp ... dev.atelier.bench.llm.LlamaBench [--model m.gguf] [--tokens 128] [--runs 5] [--threads N] [--ctx 4096]
 * </pre>
 *
 * Prints: model load time; cold TTFT (new long system prompt), warm TTFT (same system prompt, new user turn, served
 * from the prompt cache); decode tokens/s and end-to-end tokens/s (medians over the runs).
 */
public final class LlamaBench {

    private LlamaBench() {}

    public static void main(String[] args) throws Exception {
        Path model = null;
        int tokens = 128, runs = 5, threads = Runtime.getRuntime().availableProcessors(), ctx = 4096;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--ctx" -> ctx = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --model, --tokens, --runs, --threads, --ctx)");
            }
        }
        Path temp = null;
        if (model == null) {
            temp = Files.createTempDirectory("atelier-llama-bench");
            model = TinyLlamaGguf.defaults().writeTo(temp.resolve("tiny.gguf"));
        }
        try {
            run(model, tokens, runs, threads, ctx);
        } finally {
            if (temp != null) {
                Files.deleteIfExists(model);
                Files.deleteIfExists(temp);
            }
        }
        // de.kherud:llama 4.2.0 leaves a non-daemon native thread behind after close (kherud/java-llama.cpp#116).
        System.exit(0);
    }

    private static void run(Path model, int tokens, int runs, int threads, int ctx) {
        long loadStart = System.nanoTime();
        try (LlamaChatModel llm = new LlamaChatModel(LlamaSettings.of(model).withThreads(threads).withContextSize(ctx))) {
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            String system = "You are a planner for an image generator. " + "Describe scenes precisely, with regions and styles. ".repeat(40);
            ChatOptions options = ChatOptions.DEFAULTS.withTemperature(0.8).withMaxTokens(tokens);

            // warm-up: page the weights in, build the sampler
            llm.chat(new ChatRequest(List.of(ChatMessage.user("warm up")), options.withSeed(0)));

            double[] cold = new double[runs], warm = new double[runs], decode = new double[runs], overall = new double[runs];
            int promptTokens = 0;
            for (int r = 0; r < runs; r++) {
                // a new system prompt each run defeats the cache: cold start
                String freshSystem = "Run " + r + ". " + system;
                Measurement c = measure(llm, new ChatRequest(List.of(ChatMessage.system(freshSystem), ChatMessage.user("A cat on a sofa.")),
                        options.withSeed(r)));
                Measurement w = measure(llm, new ChatRequest(List.of(ChatMessage.system(freshSystem), ChatMessage.user("A dog in the snow.")),
                        options.withSeed(r)));
                cold[r] = c.ttftMs();
                warm[r] = w.ttftMs();
                decode[r] = w.decodeTokensPerSecond();
                overall[r] = w.overallTokensPerSecond();
                promptTokens = c.response().promptTokens();
            }
            System.out.printf("model           %s (%d threads, context %d)%n", model.getFileName(), threads, ctx);
            System.out.printf("load            %.1f ms%n", loadMs);
            System.out.printf("prompt          %d tokens; answer up to %d tokens; %d runs, medians%n", promptTokens, tokens, runs);
            System.out.printf("TTFT cold       %.2f ms (whole prompt evaluated)%n", median(cold));
            System.out.printf("TTFT warm       %.2f ms (system prompt from the prompt cache)%n", median(warm));
            System.out.printf("decode          %.1f tokens/s%n", median(decode));
            System.out.printf("end to end      %.1f tokens/s%n", median(overall));
        }
    }

    private record Measurement(ChatResponse response, double ttftMs, double totalMs, int pieces) {
        double decodeTokensPerSecond() {
            return totalMs > ttftMs ? (pieces - 1) / ((totalMs - ttftMs) / 1000.0) : Double.NaN;
        }

        double overallTokensPerSecond() { return response.completionTokens() / (totalMs / 1000.0); }
    }

    private static Measurement measure(LlamaChatModel llm, ChatRequest request) {
        long start = System.nanoTime();
        long[] first = {0};
        List<String> pieces = new ArrayList<>();
        ChatResponse response = llm.stream(request, piece -> {
            if (first[0] == 0) first[0] = System.nanoTime();
            pieces.add(piece);
        });
        long end = System.nanoTime();
        double ttft = ((first[0] == 0 ? end : first[0]) - start) / 1e6;
        return new Measurement(response, ttft, (end - start) / 1e6, pieces.size());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
