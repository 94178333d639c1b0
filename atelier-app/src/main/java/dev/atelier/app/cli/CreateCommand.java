package dev.atelier.app.cli;

import picocli.CommandLine.Command;

@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Plan a request with a language model, then render the plan.")
final class CreateCommand extends NotBuiltYet {}
