package dev.atelier.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the hub is and where its cache lives, read the way huggingface_hub reads them so both tools share one cache.
 *
 * @param endpoint  base URL without a trailing slash ({@code HF_ENDPOINT}, default the public hub)
 * @param token     access token ({@code HF_TOKEN}, else the token file written by {@code huggingface-cli login})
 * @param cacheDir  the hub cache ({@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub})
 * @param offline   {@code HF_HUB_OFFLINE=1}: never touch the network
 */
public record HubSettings(String endpoint, Optional<String> token, Path cacheDir, boolean offline) {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public HubSettings {
        endpoint = stripTrailingSlashes(endpoint);
        token = token.map(String::strip).filter(t -> !t.isEmpty());
    }

    /** Settings from the process environment. */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System::getenv);
    }

    /** Settings from an environment lookup (tests pass a map's {@code get}). */
    public static HubSettings fromEnvironment(Function<String, String> env) {
        String endpoint = firstSet(env, "HF_ENDPOINT").orElse(DEFAULT_ENDPOINT);
        Path home = firstSet(env, "HF_HOME").map(Path::of).orElseGet(() -> {
            Path cacheHome = firstSet(env, "XDG_CACHE_HOME").map(Path::of)
                    .orElseGet(() -> userHome(env).resolve(".cache"));
            return cacheHome.resolve("huggingface");
        });
        Path cacheDir = firstSet(env, "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE").map(Path::of)
                .orElse(home.resolve("hub"));
        Optional<String> token = firstSet(env, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
                .or(() -> readTokenFile(firstSet(env, "HF_TOKEN_PATH").map(Path::of).orElse(home.resolve("token"))));
        boolean offline = firstSet(env, "HF_HUB_OFFLINE")
                .map(v -> v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes"))
                .orElse(false);
        return new HubSettings(endpoint, token, cacheDir.toAbsolutePath().normalize(), offline);
    }

    public HubSettings withCacheDir(Path dir) { return new HubSettings(endpoint, token, dir, offline); }

    private static Path userHome(Function<String, String> env) {
        return firstSet(env, "HOME").map(Path::of).orElse(Path.of(System.getProperty("user.home")));
    }

    private static Optional<String> firstSet(Function<String, String> env, String... names) {
        for (String name : names) {
            String value = env.apply(name);
            if (value != null && !value.isBlank()) return Optional.of(value.strip());
        }
        return Optional.empty();
    }

    private static Optional<String> readTokenFile(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String stripTrailingSlashes(String url) {
        String s = url.strip();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s;
    }
}
