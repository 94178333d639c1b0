package dev.atelier.app.config;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The person's defaults (which models to use when a command names none), kept in a small properties file under the
 * user's config folder: {@code $ATELIER_CONFIG}, else {@code $XDG_CONFIG_HOME/atelier/settings.properties}, else
 * {@code ~/.config/atelier/settings.properties}. A missing file means the built-in defaults.
 */
public final class UserSettings {

    /** One setting: its key in the file, its built-in default, and what it is for. */
    public enum Key {
        MODEL("model", "sd-turbo", "text-to-image model for generate, create, chat and serve"),
        EDIT_MODEL("edit-model", "instruct-pix2pix", "InstructPix2Pix model for instruction edits (edit, create, chat)"),
        INPAINT_MODEL("inpaint-model", "sd-inpainting", "inpainting model for inpaint, outpaint and masked edits"),
        LLM("llm", "gguf:qwen2.5-1.5b-instruct", "language model that plans (plan, create, chat, serve); $ATELIER_LLM overrides it");

        private final String name;
        private final String builtIn;
        private final String purpose;

        Key(String name, String builtIn, String purpose) {
            this.name = name;
            this.builtIn = builtIn;
            this.purpose = purpose;
        }

        public String key() { return name; }
        public String builtIn() { return builtIn; }
        public String purpose() { return purpose; }

        public static Key of(String name) {
            String wanted = name.strip().toLowerCase(Locale.ROOT);
            return Arrays.stream(values()).filter(k -> k.name.equals(wanted)).findFirst().orElseThrow(() ->
                    new AtelierException("Unknown setting '" + name + "'; the settings are " + Arrays.stream(values())
                            .map(Key::key).collect(Collectors.joining(", ")) + "."));
        }
    }

    private final Path file;
    private final Map<Key, String> values;

    private UserSettings(Path file, Map<Key, String> values) {
        this.file = file;
        this.values = values;
    }

    /** The settings in the file the environment names (built-in defaults where the file says nothing). */
    public static UserSettings load() {
        return load(location(Environment.lookup));
    }

    public static UserSettings load(Path file) {
        Map<Key, String> values = new LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(file)) {
                properties.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new AtelierException("Cannot read the settings file " + file + " (" + e.getMessage()
                        + "); fix or delete it, or change it with 'atelier config set KEY VALUE'.", e);
            }
            for (String name : properties.stringPropertyNames()) {
                String value = properties.getProperty(name).strip();
                if (!value.isEmpty()) values.put(Key.of(name), value);
            }
        }
        return new UserSettings(file, values);
    }

    /** The settings file's place, as described on the class. */
    public static Path location(Function<String, String> env) {
        Optional<String> explicit = set(env.apply("ATELIER_CONFIG"));
        if (explicit.isPresent()) return Path.of(explicit.get());
        Path configHome = set(env.apply("XDG_CONFIG_HOME")).map(Path::of)
                .orElseGet(() -> set(env.apply("HOME")).map(Path::of).orElse(Path.of(System.getProperty("user.home")))
                        .resolve(".config"));
        return configHome.resolve("atelier").resolve("settings.properties");
    }

    public Path file() { return file; }

    /** The value in force: the file's, else the built-in default. */
    public String get(Key key) { return values.getOrDefault(key, key.builtIn()); }

    /** Whether the file sets this key (otherwise the built-in default applies). */
    public boolean isSet(Key key) { return values.containsKey(key); }

    /** A copy with {@code key} set ({@code null} removes it, back to the built-in default). */
    public UserSettings with(Key key, String value) {
        Map<Key, String> changed = new LinkedHashMap<>(values);
        if (value == null || value.isBlank()) changed.remove(key);
        else changed.put(key, value.strip());
        return new UserSettings(file, changed);
    }

    /** Writes the file atomically, so an interrupted write never leaves half a file. */
    public void save() {
        Properties properties = new Properties();
        values.forEach((k, v) -> properties.setProperty(k.key(), v));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".settings", ".tmp");
            try (Writer out = Files.newBufferedWriter(temp)) {
                properties.store(out, "Atelier settings: change with 'atelier config set KEY VALUE'");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the settings file " + file, e);
        }
    }

    private static Optional<String> set(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }
}
