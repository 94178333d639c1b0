package dev.atelier.hub;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns what a user typed where a model is expected into a local file or folder:
 * <ul>
 *   <li>an existing path: used as is;</li>
 *   <li>a preset name ({@code sd15}, {@code qwen2.5-1.5b}…): its pinned repository and files;</li>
 *   <li>a hub id {@code ORG/NAME[@REVISION]} (the whole repository) or {@code ORG/NAME[@REVISION]/PATH/IN/REPO}
 *       (one file, e.g. a single GGUF quantisation).</li>
 * </ul>
 * Cached models are found without the network. Missing ones are pulled only when the {@link PullConsent} allows it;
 * otherwise the error names the exact {@code atelier models pull} command to run.
 */
public final class ModelResolver {
    private final ModelPuller puller;
    private final Presets presets;

    public ModelResolver(ModelPuller puller, Presets presets) {
        this.puller = puller;
        this.presets = presets;
    }

    /** What a spec names on the hub. */
    public record HubTarget(RepoRef ref, GlobFilter include, String entry, Optional<Preset> preset) {
        /** The command that downloads it. */
        public String pullCommand() {
            if (preset.isPresent()) return "atelier models pull " + preset.get().name();
            StringBuilder cmd = new StringBuilder("atelier models pull ").append(ref);
            for (String p : include.patterns()) cmd.append(" --include '").append(p).append('\'');
            return cmd.toString();
        }
    }

    public Path resolve(String spec, PullConsent consent) {
        return resolve(spec, consent, DownloadListener.NONE);
    }

    public Path resolve(String spec, PullConsent consent, DownloadListener listener) {
        if (spec == null || spec.isBlank()) {
            throw new AtelierException("No model given: pass a folder, a preset (" + String.join(", ", presets.names())
                    + ") or a hub id ORG/NAME[@REVISION].");
        }
        Optional<Path> local = existingPath(spec);
        if (local.isPresent()) return local.get();
        HubTarget target = target(spec);
        Optional<Path> cached = findCached(target);
        if (cached.isPresent()) return cached.get();

        String size = target.preset().map(p -> " (about " + ByteSizes.format(p.approxBytes()) + ")").orElse("");
        if (puller.settings().offline()) {
            throw new AtelierException("Model '" + spec + "' is not in the cache (" + puller.cache().root()
                    + ") and HF_HUB_OFFLINE is set: unset it and run `" + target.pullCommand() + "`" + size + ".");
        }
        if (!consent.mayPull()) {
            String notLocal = target.preset().isPresent() ? ""
                    : " (If you meant a local folder: " + Path.of(spec.strip()).toAbsolutePath() + " does not exist.)";
            throw new AtelierException("Model '" + spec + "' is not downloaded yet" + size + ": run `"
                    + target.pullCommand() + "` first, or add --pull to download it now." + notLocal);
        }
        PullPlan plan = puller.plan(target.ref(), target.include());
        if (!plan.complete() && !consent.approve(spec, plan)) {
            throw new AtelierException("Model '" + spec + "' was not downloaded (" + ByteSizes.format(plan.bytesToFetch())
                    + " needed). Run `" + target.pullCommand() + "` when ready.");
        }
        PullResult result = puller.execute(plan, listener);
        return target.entry() == null ? result.snapshotDir()
                : puller.cache().snapshotFile(target.ref().repoId(), result.commit(), target.entry());
    }

    /** Parses a preset name or hub id (no network). */
    public HubTarget target(String spec) {
        String s = spec.strip();
        Optional<Preset> preset = presets.find(s);
        if (preset.isPresent()) {
            Preset p = preset.get();
            return new HubTarget(p.ref(), p.includeFilter(), p.entry(), preset);
        }
        String[] parts = s.split("/", 3);
        if (parts.length >= 2 && RepoRef.looksLikeRepoId(parts[0] + "/" + parts[1])) {
            RepoRef ref = RepoRef.parse(parts[0] + "/" + parts[1]);
            if (parts.length == 3 && !parts[2].isBlank()) {
                return new HubTarget(ref, new GlobFilter(List.of(parts[2])), parts[2], Optional.empty());
            }
            return new HubTarget(ref, GlobFilter.all(), null, Optional.empty());
        }
        throw new AtelierException("'" + spec + "' is not an existing file or folder, not a preset ("
                + String.join(", ", presets.names()) + ") and not a hub id ORG/NAME[@REVISION]. "
                + "Check the spelling, or see `atelier models presets`.");
    }

    /** The cached snapshot (or entry file) when every requested pattern has at least one file there. */
    public Optional<Path> findCached(HubTarget target) {
        Optional<Path> snapshot = puller.cache().findSnapshot(target.ref().repoId(), target.ref().revision());
        if (snapshot.isEmpty()) return Optional.empty();
        Path dir = snapshot.get();
        if (target.entry() != null) {
            Path file = dir.resolve(target.entry()).normalize();
            return file.startsWith(dir) && Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
        }
        List<String> files = relativeFiles(dir);
        if (files.isEmpty()) return Optional.empty();
        for (String pattern : target.include().patterns()) {
            GlobFilter one = new GlobFilter(List.of(pattern));
            if (files.stream().noneMatch(one)) return Optional.empty();
        }
        return Optional.of(dir);
    }

    private static List<String> relativeFiles(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code spec} as an existing local file or folder (absolute), if it is one; needs no hub or cache set-up. */
    public static Optional<Path> existingLocal(String spec) {
        return spec == null || spec.isBlank() ? Optional.empty() : existingPath(spec);
    }

    private static Optional<Path> existingPath(String spec) {
        try {
            Path p = Path.of(spec.strip());
            return Files.exists(p) ? Optional.of(p.toAbsolutePath().normalize()) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}
