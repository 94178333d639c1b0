package dev.atelier.library;

import java.nio.file.Path;
import java.util.function.Function;

/** Where the picture library lives when no folder is given. */
public final class LibraryLocations {
    /** Environment variable (or system property {@code atelier.library.dir}) naming the index folder. */
    public static final String ENV = "ATELIER_LIBRARY_DIR";
    public static final String PROPERTY = "atelier.library.dir";

    private LibraryLocations() {}

    /**
     * The property, else {@code $ATELIER_LIBRARY_DIR}, else {@code $XDG_DATA_HOME/atelier/library}, else
     * {@code ~/.local/share/atelier/library} (the XDG default, also used on macOS for one rule everywhere).
     */
    public static Path defaultIndex(Function<String, String> env) {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) return Path.of(property);
        String explicit = env.apply(ENV);
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String dataHome = env.apply("XDG_DATA_HOME");
        Path base = dataHome != null && !dataHome.isBlank() ? Path.of(dataHome)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("atelier").resolve("library");
    }
}
