package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.junit.jupiter.api.Test;

class AtelierCommandTest {

    record Run(int exitCode, String out, String err) {}

    static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEverySubcommandWithItsPurpose() {
        Run r = run(AtelierCommand.newCommandLine(), "--help");
        assertThat(r.exitCode()).isZero();
        for (String sub : new String[] {"generate", "edit", "inpaint", "outpaint", "plan", "create", "chat", "serve", "models"}) {
            assertThat(r.out()).containsPattern("(?m)^\\s+" + sub + "\\s+\\S");
        }
        assertThat(r.out()).contains("Examples:");
    }

    @Test
    void versionNamesAtelierAndTheJavaRuntime() {
        Run r = run(AtelierCommand.newCommandLine(), "--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).containsPattern("atelier \\d+\\.\\d+\\.\\d+").contains("Java " + Runtime.version().feature());
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        Run r = run(AtelierCommand.newCommandLine(), "--no-such-option");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option");
    }

    @Command(name = "future")
    static final class FutureCommand extends NotBuiltYet {}

    @Test
    void aCommandThatIsNotBuiltSaysSoInOneLineAndExitsWithTwo() {
        Run r = run(new CommandLine(new FutureCommand()));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("atelier future: not built yet in this version of Atelier.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void everyStubSubcommandOfTheRealCliBehavesTheSame() {
        CommandLine root = AtelierCommand.newCommandLine();
        for (var e : root.getSubcommands().entrySet()) {
            if (!(e.getValue().getCommand() instanceof NotBuiltYet)) continue;
            Run r = run(AtelierCommand.newCommandLine(), e.getKey());
            assertThat(r.exitCode()).as(e.getKey()).isEqualTo(2);
            assertThat(r.err()).as(e.getKey()).contains("not built yet");
        }
    }
}
