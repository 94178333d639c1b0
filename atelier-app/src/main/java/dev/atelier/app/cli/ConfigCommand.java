package dev.atelier.app.cli;

import dev.atelier.app.config.Environment;
import dev.atelier.app.config.UserSettings;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier config}: shows and changes the default models every command uses when none is named. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Show or change the defaults: which models generate, edit, inpaint and plan when a command names none.",
                "Without a subcommand, lists every setting, its value and whether it is the built-in default."},
        footer = {"", "Examples:",
                "  atelier config",
                "  atelier config set model sd15",
                "  atelier config set llm ollama:qwen2.5:7b",
                "  atelier config unset model        # back to the built-in default"},
        subcommands = {ConfigCommand.Get.class, ConfigCommand.Set.class, ConfigCommand.Unset.class, ConfigCommand.Where.class})
final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        UserSettings settings = UserSettings.load();
        for (UserSettings.Key key : UserSettings.Key.values()) {
            out.printf("%-14s %-32s %s%n", key.key(), settings.get(key),
                    settings.isSet(key) ? "(set in " + settings.file() + ")" : "(built-in default: " + key.purpose() + ")");
        }
        return 0;
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print one setting's value.")
    static final class Get implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY", description = "model, edit-model, inpaint-model or llm.") String key;

        @Override public Integer call() {
            spec.commandLine().getOut().println(UserSettings.load().get(UserSettings.Key.of(key)));
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Change one setting (saved in the settings file).")
    static final class Set implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY", description = "model, edit-model, inpaint-model or llm.") String key;
        @Parameters(index = "1", paramLabel = "VALUE", description = "A model folder, preset or hub id; for llm a --llm spec.") String value;

        @Override public Integer call() {
            UserSettings.Key k = UserSettings.Key.of(key);
            UserSettings changed = UserSettings.load().with(k, value);
            changed.save();
            spec.commandLine().getOut().printf("%s = %s (saved in %s)%n", k.key(), changed.get(k), changed.file());
            return 0;
        }
    }

    @Command(name = "unset", mixinStandardHelpOptions = true, description = "Return one setting to its built-in default.")
    static final class Unset implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY", description = "model, edit-model, inpaint-model or llm.") String key;

        @Override public Integer call() {
            UserSettings.Key k = UserSettings.Key.of(key);
            UserSettings changed = UserSettings.load().with(k, null);
            changed.save();
            spec.commandLine().getOut().printf("%s = %s (built-in default)%n", k.key(), changed.get(k));
            return 0;
        }
    }

    @Command(name = "path", mixinStandardHelpOptions = true, description = "Print where the settings file is (it may not exist yet).")
    static final class Where implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Override public Integer call() {
            spec.commandLine().getOut().println(UserSettings.location(Environment.lookup));
            return 0;
        }
    }
}
