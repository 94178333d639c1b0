package dev.atelier.app.cli;

import picocli.CommandLine.Command;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run Atelier as an HTTP service (REST, OpenAI-compatible endpoints, web UI).")
final class ServeCommand extends NotBuiltYet {}
