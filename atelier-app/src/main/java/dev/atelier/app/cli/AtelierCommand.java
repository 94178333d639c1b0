package dev.atelier.app.cli;

import dev.atelier.app.logging.StderrLogConfigurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** The root command: only dispatches to subcommands. */
@Command(name = "atelier",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        header = "Atelier — plan with a language model, render with diffusion.",
        description = {
                "Say what you want in plain words; a language model plans the picture (a detailed prompt, "
                        + "a layout of regions or an edit instruction) and Stable Diffusion renders it.",
                "",
                "Run 'atelier help COMMAND' for the options of one command."},
        footer = {"",
                "Examples:",
                "  atelier create \"two cats on a sofa\"          # plan and render with the default models",
                "  atelier generate --model ./sd15-onnx --prompt \"a red fox in snow\" --out fox.png",
                "  atelier plan --llm ollama:qwen2.5:7b \"two cats on a sofa, one black, one white\"",
                "  atelier models pull sd15"},
        subcommands = {
                CommandLine.HelpCommand.class,
                GenerateCommand.class,
                EditCommand.class,
                InpaintCommand.class,
                OutpaintCommand.class,
                PlanCommand.class,
                CreateCommand.class,
                ChatCommand.class,
                ServeCommand.class,
                LibraryCommand.class,
                ModelsCommand.class,
                ConfigCommand.class})
public final class AtelierCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Log what happens, with a start-up breakdown (JVM, parsing, tokenizer, sessions, first UNet "
                    + "call, decode, PNG write) at the end; the same as ATELIER_LOG_LEVEL=DEBUG.")
    void verbose(boolean on) {
        if (on) StderrLogConfigurator.setLevel(ch.qos.logback.classic.Level.DEBUG);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The configured command line, shared by {@code Main} and tests. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new AtelierCommand());
        cl.setExecutionStrategy(parsed -> {
            dev.atelier.app.logging.StartupClock.mark("command parsing");
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler(new FriendlyErrors());
        // Applies to every subcommand: wide enough for model specs and examples, wider on big terminals.
        cl.setUsageHelpWidth(100);
        cl.setUsageHelpAutoWidth(true);
        return cl;
    }
}
