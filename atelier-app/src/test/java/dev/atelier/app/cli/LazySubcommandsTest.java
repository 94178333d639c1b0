package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A run builds only the subcommand it names; anything else sees every command. */
class LazySubcommandsTest {

    @Test
    void aNamedSubcommandIsTheOnlyOneBuilt() {
        assertThat(AtelierCommand.newCommandLineFor("--verbose", "generate", "--prompt", "x").getSubcommands().keySet())
                .containsExactly("help", "generate");
        assertThat(AtelierCommand.newCommandLineFor("models", "list").getSubcommands().keySet()).containsExactly("help", "models");
    }

    @Test
    void helpUnknownNamesAndNoArgumentsSeeEveryCommand() {
        var all = AtelierCommand.newCommandLine().getSubcommands().keySet();
        assertThat(all).contains("generate", "edit", "inpaint", "outpaint", "plan", "create", "chat", "serve", "library",
                "models", "config");
        assertThat(AtelierCommand.newCommandLineFor().getSubcommands().keySet()).isEqualTo(all);
        assertThat(AtelierCommand.newCommandLineFor("help", "generate").getSubcommands().keySet()).isEqualTo(all);
        assertThat(AtelierCommand.newCommandLineFor("generat").getSubcommands().keySet()).isEqualTo(all);
        assertThat(AtelierCommand.newCommandLineFor("--help").getSubcommands().keySet()).isEqualTo(all);
    }
}
