package dev.atelier.app.cli;

import picocli.CommandLine.Command;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Talk with the assistant, turn by turn, making and changing pictures.")
final class ChatCommand extends NotBuiltYet {}
