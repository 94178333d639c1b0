package dev.atelier.app.config;

import java.util.function.Function;

/**
 * The process environment as the CLI reads it (settings file, hub cache, $ATELIER_LLM): one lookup that tests replace,
 * so they never read or write the real home folder.
 */
public final class Environment {
    private Environment() {}

    public static volatile Function<String, String> lookup = System::getenv;

    public static String get(String name) { return lookup.apply(name); }
}
