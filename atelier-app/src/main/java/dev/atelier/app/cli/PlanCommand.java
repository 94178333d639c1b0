package dev.atelier.app.cli;

import picocli.CommandLine.Command;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Turn a request into a plan (JSON) with a language model, without rendering.")
final class PlanCommand extends NotBuiltYet {}
