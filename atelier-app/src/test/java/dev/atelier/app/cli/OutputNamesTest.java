package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputNamesTest {

    @Test
    void aSlugIsTheRequestsWordsInLowerCaseAsciiJoinedByDashes() {
        assertThat(OutputNames.slug("Two cats on a sofa, one black & one white!")).isEqualTo("two-cats-on-a-sofa-one-black-one-white");
        assertThat(OutputNames.slug("Crème brûlée au café")).isEqualTo("creme-brulee-au-cafe");
        assertThat(OutputNames.slug("   ")).isEqualTo("image");
        assertThat(OutputNames.slug("木の家")).isEqualTo("image");
    }

    @Test
    void longRequestsAreCutAtAWordBoundary() {
        String slug = OutputNames.slug("a very long request about a lighthouse standing on a cliff above a stormy sea at night");
        assertThat(slug.length()).isLessThanOrEqualTo(OutputNames.MAX_SLUG);
        assertThat(slug).isEqualTo("a-very-long-request-about-a-lighthouse-standing");
    }

    @Test
    void aFreshNameNeverOverwrites(@TempDir Path dir) throws Exception {
        Path first = OutputNames.fresh(dir, "a fox", 42);
        assertThat(first).isEqualTo(dir.resolve("a-fox-42.png"));
        Files.createFile(first);
        assertThat(OutputNames.fresh(dir, "a fox", 42)).isEqualTo(dir.resolve("a-fox-42-2.png"));
        Files.createFile(dir.resolve("a-fox-42-2.png"));
        assertThat(OutputNames.fresh(dir, "a fox", 42)).isEqualTo(dir.resolve("a-fox-42-3.png"));
    }
}
