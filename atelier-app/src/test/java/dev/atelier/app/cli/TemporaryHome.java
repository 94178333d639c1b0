package dev.atelier.app.cli;

import dev.atelier.app.config.Environment;
import dev.atelier.hub.HubCache;
import dev.atelier.hub.Preset;
import dev.atelier.hub.Presets;
import dev.atelier.hub.RepoRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A home folder of the test's own for the CLI: settings file, hub cache and working folder under a temporary
 * folder, and models placed in the cache as if a preset had been pulled. {@link #close} restores the real ones.
 */
final class TemporaryHome implements AutoCloseable {
    /** A made-up commit for presets that track a branch, as a pull would record it. */
    private static final String BRANCH_COMMIT = "0123456789abcdef0123456789abcdef01234567";

    final Path root;
    final Path hubCache;
    final Path settingsFile;
    final Path workingFolder;

    TemporaryHome(Path root) {
        this.root = root;
        this.hubCache = root.resolve("hub");
        this.settingsFile = root.resolve("config").resolve("settings.properties");
        this.workingFolder = root.resolve("work");
        try {
            Files.createDirectories(workingFolder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = Map.of("HOME", root.toString(), "HF_HUB_CACHE", hubCache.toString(),
                "ATELIER_CONFIG", settingsFile.toString(), "HF_HUB_OFFLINE", "0");
        Environment.lookup = env::get;
        OutputOption.workingFolder = workingFolder;
    }

    /** Copies {@code source} (a folder, or one file for presets with an entry file) into the cache as the preset. */
    Path registerPreset(String name, Path source) throws IOException {
        Preset preset = Presets.builtIn().find(name).orElseThrow();
        RepoRef ref = preset.ref();
        HubCache cache = new HubCache(hubCache);
        String commit = RepoRef.isCommitSha(ref.revision()) ? ref.revision() : BRANCH_COMMIT;
        if (!RepoRef.isCommitSha(ref.revision())) cache.writeRef(ref.repoId(), ref.revision(), commit);
        Path snapshot = cache.snapshotDir(ref.repoId(), commit);
        if (preset.entry() != null) {
            Path target = snapshot.resolve(preset.entry());
            Files.createDirectories(target.getParent());
            Files.copy(source, target);
            return target;
        }
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.toList()) {
                Path target = snapshot.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
        return snapshot;
    }

    @Override
    public void close() {
        Environment.lookup = System::getenv;
        OutputOption.workingFolder = Path.of("");
    }
}
