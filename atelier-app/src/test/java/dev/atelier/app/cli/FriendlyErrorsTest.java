package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.AtelierException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.junit.jupiter.api.Test;

class FriendlyErrorsTest {

    @Command(name = "boom")
    static final class Boom implements Runnable {
        final RuntimeException toThrow;
        Boom(RuntimeException toThrow) { this.toThrow = toThrow; }
        @Override public void run() { throw toThrow; }
    }

    @Test
    void userErrorsPrintTheirMessageAloneWithTheirExitCode() {
        CommandLine cl = new CommandLine(new Boom(new AtelierException("model folder ./x has no unet/model.onnx", null, 3)));
        cl.setExecutionExceptionHandler(new FriendlyErrors());
        var r = AtelierCommandTest.run(cl);
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("error: model folder ./x has no unet/model.onnx").doesNotContain("at dev.atelier");
    }

    @Test
    void unexpectedErrorsPointToTheDebugLog() {
        CommandLine cl = new CommandLine(new Boom(new IllegalStateException("surprise")));
        cl.setExecutionExceptionHandler(new FriendlyErrors());
        var r = AtelierCommandTest.run(cl);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("error: surprise").contains("ATELIER_LOG_LEVEL=DEBUG");
    }
}
