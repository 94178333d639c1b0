package dev.atelier.app.cli;

import dev.atelier.app.logging.StderrLogConfigurator;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
        // Subcommands are registered in code (SUBCOMMANDS): a run builds only the one it was asked for.
        subcommands = {CommandLine.HelpCommand.class})
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

    /** Every subcommand, in the order help lists them; built on demand, as picocli reads each one's annotations. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> all = new LinkedHashMap<>();
        all.put("generate", GenerateCommand::new);
        all.put("edit", EditCommand::new);
        all.put("inpaint", InpaintCommand::new);
        all.put("outpaint", OutpaintCommand::new);
        all.put("plan", PlanCommand::new);
        all.put("create", CreateCommand::new);
        all.put("chat", ChatCommand::new);
        all.put("serve", ServeCommand::new);
        all.put("library", LibraryCommand::new);
        all.put("models", ModelsCommand::new);
        all.put("config", ConfigCommand::new);
        return all;
    }

    /** The configured command line with every subcommand, for help, completion and tests. */
    public static CommandLine newCommandLine() {
        return newCommandLine(SUBCOMMANDS.keySet());
    }

    /**
     * The command line for these arguments: when they name a subcommand, only that one is built (picocli's
     * reflection over every command's options is a large share of a cold start); otherwise all of them, so root
     * help, {@code help COMMAND} and "did you mean" suggestions see every command.
     */
    public static CommandLine newCommandLineFor(String... args) {
        for (String arg : args) {
            if (arg.startsWith("-")) continue; // root options such as --verbose come first
            return SUBCOMMANDS.containsKey(arg) ? newCommandLine(List.of(arg)) : newCommandLine();
        }
        return newCommandLine();
    }

    private static CommandLine newCommandLine(Collection<String> names) {
        CommandLine cl = new CommandLine(new AtelierCommand());
        for (String name : names) cl.addSubcommand(name, SUBCOMMANDS.get(name).get());
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
