package dev.atelier.diffusion.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The shared folder's real CLIP vocabulary, loaded once per test JVM; tests skip when it is absent. */
final class RealClipVocab {

    private static ClipTokenizer sd1;
    private static ClipTokenizer sd2;

    private RealClipVocab() {}

    static Path gzPath() {
        String shared = System.getProperty("atelier.shared.dir");
        assumeTrue(shared != null, "atelier.shared.dir not set");
        Path gz = Path.of(shared, "data", "clip", "bpe_simple_vocab_16e6.txt.gz");
        assumeTrue(Files.isRegularFile(gz), "real CLIP vocabulary absent: " + gz);
        return gz;
    }

    /** SD 1.x: pads with the end token. */
    static synchronized ClipTokenizer sd1() {
        if (sd1 == null) sd1 = ClipTokenizer.fromBpeVocabulary(gzPath(), 49407);
        return sd1;
    }

    /** SD 2.x: pads with "!" (id 0). */
    static synchronized ClipTokenizer sd2() {
        if (sd2 == null) sd2 = ClipTokenizer.fromBpeVocabulary(gzPath(), 0);
        return sd2;
    }
}
