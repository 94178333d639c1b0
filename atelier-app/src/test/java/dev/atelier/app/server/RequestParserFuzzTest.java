package dev.atelier.app.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.diffusion.pipeline.SamplingDefaults;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The server's request-body parser against malformed input: every body either parses or is refused with the
 * server's own {@link ApiException} (a 400 with a message), never a JDK or Jackson exception, and in time linear in
 * its size. Mutations of valid bodies with a fixed seed, for a bounded time.
 */
class RequestParserFuzzTest {
    private static final long BUDGET_NANOS = 4_000_000_000L;
    private static final RequestParser PARSER = new RequestParser(
            new RequestDefaults("/models/toy", 512, SchedulerKind.DDIM, new SamplingDefaults(false, false)));

    private static final List<String> SEEDS = List.of(
            "{\"prompt\": \"a red fox\", \"negativePrompt\": \"blur\", \"steps\": 20, \"scheduler\": \"euler-a\", \"guidance\": 7.5,"
                    + " \"seed\": 42, \"width\": 512, \"height\": 768, \"batch\": 2, \"previewEvery\": 5}",
            "{\"model\": \"dall-e-3\", \"prompt\": \"a cat\", \"n\": 2, \"size\": \"512x512\", \"response_format\": \"b64_json\"}",
            "{\"prompt\": \"two cats\"}");

    private static final String[] TOKENS = {"{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true",
            "false", "-", "0", "1e999", "-1e-999", "9223372036854775808", "NaN", "Infinity", "0x10", "\"prompt\"", "\"size\"",
            "\"steps\"", "\"seed\"", "\"width\"", "\"n\"", "\"scheduler\"", "\u00e9", "\uD83D\uDE00", " ", "\n", "\t", "/*", "'",
            "64x64", "\"9999999999x5\"", "\"x\"", "\"auto\"", "{\"a\":", "1.5", "-0", "00", "2147483648"};

    /** What every parser entry point must do with {@code body}: answer or refuse with the project's error. */
    private static void parseAll(String body) {
        for (Consumer<String> entry : List.<Consumer<String>>of(PARSER::generate, PARSER::openAi, PARSER::planPrompt)) {
            try {
                entry.accept(body);
            } catch (ApiException expected) {
                assertThat(expected.status()).as(body).isEqualTo(400);
                assertThat(expected.getMessage()).as(body).isNotBlank().doesNotContain("Exception", "\tat ");
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                throw new AssertionError("the parser threw " + e + " for the body " + abbreviate(body), e);
            }
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "… (" + body.length() + " chars)";
    }

    @Test
    void mutatedBodiesParseOrAreRefusedWithTheServersOwnError() {
        SplittableRandom random = new SplittableRandom(15);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int runs = 0;
        while (System.nanoTime() < deadline && runs < 200_000) {
            parseAll(mutate(SEEDS.get(random.nextInt(SEEDS.size())), random));
            runs++;
        }
        assertThat(runs).isGreaterThan(1_000);
    }

    private static String mutate(String seed, SplittableRandom random) {
        StringBuilder body = new StringBuilder(seed);
        int edits = 1 + random.nextInt(6);
        for (int e = 0; e < edits; e++) {
            int at = body.isEmpty() ? 0 : random.nextInt(body.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> body.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                case 1 -> { if (at < body.length()) body.deleteCharAt(at); }
                case 2 -> { if (at < body.length()) body.setCharAt(at, (char) random.nextInt(0x20, 0x7f)); }
                case 3 -> body.setLength(Math.min(body.length(), at));
                case 4 -> { if (at < body.length()) body.setCharAt(at, (char) random.nextInt(0, 0xffff)); }
                default -> {
                    int from = random.nextInt(body.length() + 1);
                    int to = Math.min(body.length(), from + random.nextInt(20));
                    body.insert(at, body.substring(from, to));
                }
            }
        }
        return body.toString();
    }

    @Test
    void valueShapesThatHaveBrokenParsersAreRefusedWithAMessage() {
        List<String> bodies = new ArrayList<>(List.of(
                "", " ", "null", "[]", "\"prompt\"", "42", "{\"prompt\": null}", "{\"prompt\": 5}", "{\"prompt\": [\"red\"]}",
                "{\"prompt\": \"red\", \"steps\": 1e400}", "{\"prompt\": \"red\", \"steps\": 9223372036854775808}",
                "{\"prompt\": \"red\", \"guidance\": NaN}", "{\"prompt\": \"red\", \"guidance\": 1e309}",
                "{\"prompt\": \"red\", \"seed\": -1}", "{\"prompt\": \"red\", \"seed\": 1.5}", "{\"prompt\": \"red\", \"seed\": 99999999999999999999}",
                "{\"prompt\": \"red\", \"width\": 2147483648}", "{\"prompt\": \"red\", \"width\": -64}", "{\"prompt\": \"red\", \"batch\": 0}",
                "{\"prompt\": \"red\", \"size\": \"9999999999x5\"}", "{\"prompt\": \"red\", \"size\": \"x\"}", "{\"prompt\": \"red\", \"size\": 512}",
                "{\"prompt\": \"red\", \"n\": \"2\"}", "{\"prompt\": \"red\", \"n\": 1e10}", "{\"prompt\": \"red\", \"scheduler\": 3}",
                "{\"prompt\": \"red\", \"response_format\": null, \"size\": null, \"n\": null}", "{\"prompt\": \"\\ud800\"}",
                "{\"prompt\": \"red\", \"prompt\": \"blue\"}", "{\"prompt\": \"red\"} trailing", "{\"prompt\": \"red\"}{}",
                "{\"prompt\": \"red\", \"negativePrompt\": {}}"));
        bodies.add("[".repeat(100_000)); // nesting far past any limit must be refused, not overflow the stack
        bodies.add("{\"prompt\": " + "{\"a\": ".repeat(50_000) + "1" + "}".repeat(50_000) + "}");
        bodies.add("{\"prompt\": \"" + "a".repeat(300_000) + "\"}");
        bodies.add("{\"prompt\": \"red\", \"steps\": " + "9".repeat(100_000) + "}");
        for (String body : bodies) {
            long t0 = System.nanoTime();
            parseAll(body);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to parse " + abbreviate(body)).isLessThan(2_000);
        }
    }

    @Test
    void theRefusalsSayWhatIsWrong() {
        assertThatThrownBy(() -> PARSER.generate("[" .repeat(5_000))).isInstanceOf(ApiException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> PARSER.openAi("{\"prompt\": \"red\", \"size\": \"9999999999x5\"}")).isInstanceOf(ApiException.class)
                .hasMessageContaining("WIDTHxHEIGHT");
        assertThatThrownBy(() -> PARSER.generate("{\"prompt\": \"red\", \"seed\": 99999999999999999999}")).isInstanceOf(ApiException.class)
                .hasMessageContaining("\"seed\" must be a whole number");
    }
}
