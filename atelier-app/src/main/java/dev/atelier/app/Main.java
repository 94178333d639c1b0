package dev.atelier.app;

import dev.atelier.app.cli.AtelierCommand;
import picocli.CommandLine;

/** Entry point of the {@code atelier} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(AtelierCommand.newCommandLine().execute(args));
    }
}
