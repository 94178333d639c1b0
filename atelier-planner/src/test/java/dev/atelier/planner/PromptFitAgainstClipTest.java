package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.atelier.diffusion.tokenizer.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner's token estimate never under-counts the real CLIP tokenizer on prompts like the ones it writes. */
class PromptFitAgainstClipTest {

    @Test
    void theEstimateIsAnUpperBoundOfRealClipTokensAndNotWildlyAbove() {
        String shared = System.getProperty("atelier.shared.dir");
        assumeTrue(shared != null, "atelier.shared.dir not set");
        Path gz = Path.of(shared, "data", "clip", "bpe_simple_vocab_16e6.txt.gz");
        assumeTrue(Files.isRegularFile(gz), "real CLIP vocabulary absent");
        ClipTokenizer clip = ClipTokenizer.fromBpeVocabulary(gz, 49407);

        List<String> prompts = new ArrayList<>();
        for (RegionExamples.Example e : RegionExamples.all()) {
            prompts.add(e.caption());
            prompts.add(e.detailedPrompt());
            prompts.addAll(e.layout().prompts());
        }
        prompts.addAll(List.of("a photo of a cat", "photorealistic portrait, 8k, ultra-detailed, bokeh",
                "a cat's whiskers, 1024x768, (masterpiece:1.2)"));
        int estimated = 0, real = 0;
        for (String p : prompts) {
            int r = clip.encode(p).length;
            int e = PromptFit.estimateClipTokens(p);
            assertThat(e).as("estimate for \"%s\" (real %d)", p, r).isGreaterThanOrEqualTo(r);
            estimated += e;
            real += r;
        }
        assertThat((double) estimated / real).as("overall over-count").isLessThan(1.35);
    }
}
