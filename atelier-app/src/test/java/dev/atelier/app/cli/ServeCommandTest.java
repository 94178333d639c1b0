package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier serve} refuses bad options before loading anything (the server itself: AtelierServerTest). */
class ServeCommandTest {

    @Test
    void aQueueOfNoPlacesIsRefusedWithTheReason(@TempDir Path dir) {
        var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "serve", "--model", dir.toString(), "--queue", "0");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("--queue must be at least 1");
    }

    @Test
    void withoutAModelTheConfiguredDefaultIsNamedWhenItIsMissing(@TempDir Path dir) {
        try (TemporaryHome home = new TemporaryHome(dir)) {
            var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "serve", "--port", "0");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("sd-turbo", "atelier models pull sd-turbo");
        }
    }
}
