package dev.atelier.app.cli;

import picocli.CommandLine.Option;

/** {@code --yes}: download missing models without asking, declared once for every command that may need one. */
final class PullOption {

    @Option(names = {"-y", "--yes", "--pull"},
            description = "Download models that are not in the cache yet without asking (for scripts). "
                    + "Without it, Atelier asks once, showing the size, when run in a terminal.")
    boolean yes;
}
