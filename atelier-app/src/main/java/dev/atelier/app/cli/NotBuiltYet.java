package dev.atelier.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Base of subcommands that exist in the plan but not yet in code: they say so and exit with 2. */
abstract class NotBuiltYet implements Callable<Integer> {
    static final int NOT_BUILT_EXIT_CODE = 2;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(
                "atelier " + spec.name() + ": not built yet in this version of Atelier.");
        return NOT_BUILT_EXIT_CODE;
    }
}
