package dev.atelier.app.cli;

import dev.atelier.app.config.Environment;
import dev.atelier.core.AtelierException;
import dev.atelier.hub.ByteSizes;
import dev.atelier.hub.CachedRepo;
import dev.atelier.hub.DownloadListener;
import dev.atelier.hub.GlobFilter;
import dev.atelier.hub.HubCache;
import dev.atelier.hub.HubClient;
import dev.atelier.hub.HubSettings;
import dev.atelier.hub.ModelPuller;
import dev.atelier.hub.ModelResolver;
import dev.atelier.hub.Preset;
import dev.atelier.hub.Presets;
import dev.atelier.hub.PullConsent;
import dev.atelier.hub.PullPlan;
import dev.atelier.hub.PullResult;
import dev.atelier.hub.RepoRef;
import dev.atelier.hub.SpaceProvider;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code atelier models}: pull, list and remove models in the Hugging Face cache, and show the presets.
 * The hub environment (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE) is read through an injectable
 * lookup so tests never touch the real process environment.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Pull, list and remove models (Hugging Face hub cache and presets).",
                "Models live in the Hugging Face cache ($HF_HUB_CACHE, else $HF_HOME/hub, else",
                "~/.cache/huggingface/hub), shared with Python tools."},
        subcommands = {ModelsCommand.Pull.class, ModelsCommand.ListModels.class, ModelsCommand.Remove.class,
                ModelsCommand.ShowPresets.class},
        footer = {"", "Examples:",
                "  atelier models presets",
                "  atelier models pull sd15",
                "  atelier models pull onnxruntime/sd-turbo --include 'unet/*'",
                "  atelier models list",
                "  atelier models rm onnxruntime/sd-turbo"})
final class ModelsCommand implements Runnable {
    private final Function<String, String> env;
    private final SpaceProvider space;
    private Presets presets; // loaded on first use: every `atelier` start builds this command

    @Spec
    CommandSpec spec;

    ModelsCommand() { this(Environment.lookup, SpaceProvider.FILE_STORE); }

    ModelsCommand(Function<String, String> env, SpaceProvider space) {
        this.env = env;
        this.space = space;
    }

    Presets presets() {
        if (presets == null) presets = Presets.builtIn();
        return presets;
    }

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    HubSettings settings() { return HubSettings.fromEnvironment(env); }

    ModelPuller puller() {
        HubSettings settings = settings();
        return new ModelPuller(new HubClient(settings), new HubCache(settings.cacheDir()),
                space, 3);
    }

    /**
     * Resolves what a user typed for {@code --model} / {@code --llm gguf:…} (a path, a preset or a hub id) for other
     * commands. With {@code pull} the model is downloaded when missing; without it, on a terminal the user is asked
     * (the size is shown first); elsewhere the error names the {@code atelier models pull} command to run.
     */
    static Path resolveForUse(String modelSpec, boolean pull, PrintWriter err) {
        return resolveForUse(modelSpec, pull, err, Environment.lookup, SpaceProvider.FILE_STORE);
    }

    static Path resolveForUse(String modelSpec, boolean pull, PrintWriter err, Function<String, String> env,
                              SpaceProvider space) {
        Optional<Path> local = ModelResolver.existingLocal(modelSpec);
        if (local.isPresent()) return local.get(); // a folder on disk: no hub client, cache or presets to set up
        ModelsCommand models = new ModelsCommand(env, space);
        ModelPuller puller = models.puller();
        Console console = System.console();
        boolean interactive = console != null && console.isTerminal();
        PullConsent consent = pull ? PullConsent.ALWAYS : interactive ? (spec, plan) -> {
            String answer = console.readLine("%s is not downloaded yet: fetch %d files, %s from %s? [y/N] ", spec,
                    plan.filesToFetch(), ByteSizes.format(plan.bytesToFetch()), plan.ref());
            return answer != null && answer.strip().toLowerCase(Locale.ROOT).startsWith("y");
        } : PullConsent.NEVER;
        return new ModelResolver(puller, models.presets()).resolve(modelSpec, consent,
                new DownloadProgress(err, interactive ? DownloadProgress.terminalBars() : null));
    }

    /**
     * Makes sure every model a command is about to use is in the cache, asking once for all the missing ones together
     * with their size (a newcomer's first run needs a diffusion model and a language model: one question, not two).
     * With {@code yes} they are downloaded without asking; off a terminal without it, the error says what to run.
     * Local paths, cached models and null entries cost nothing; unknown names are left to the resolver's message.
     */
    static void ensureAvailable(List<String> specs, boolean yes, PrintWriter err) {
        if (specs.stream().allMatch(s -> s == null || s.isBlank() || ModelResolver.existingLocal(s).isPresent())) return;
        ModelsCommand models = new ModelsCommand(Environment.lookup, SpaceProvider.FILE_STORE);
        ModelPuller puller = models.puller();
        ModelResolver resolver = new ModelResolver(puller, models.presets());
        Map<String, ModelResolver.HubTarget> missing = new java.util.LinkedHashMap<>();
        for (String spec : specs) {
            if (spec == null || spec.isBlank() || java.nio.file.Files.exists(Path.of(spec.strip()))) continue;
            ModelResolver.HubTarget target;
            try {
                target = resolver.target(spec);
            } catch (AtelierException notAHubName) {
                continue; // resolving it later gives the full message
            }
            if (resolver.findCached(target).isEmpty()) missing.put(spec.strip(), target);
        }
        if (missing.isEmpty() || puller.settings().offline()) return;
        Console console = System.console();
        boolean interactive = console != null && console.isTerminal();
        if (!yes) {
            String list = String.join(", ", missing.entrySet().stream().map(e -> e.getKey() + e.getValue().preset()
                    .map(p -> " (about " + ByteSizes.format(p.approxBytes()) + ")").orElse("")).toList());
            if (!interactive) {
                throw new AtelierException("Not downloaded yet: " + list + ". Add --yes to download now, or run "
                        + String.join(" and ", missing.values().stream().map(t -> "`" + t.pullCommand() + "`").toList())
                        + " first.");
            }
            long bytes = 0;
            for (ModelResolver.HubTarget t : missing.values()) bytes += puller.plan(t.ref(), t.include()).bytesToFetch();
            String answer = console.readLine("Atelier needs models that are not downloaded yet: %s; %s in all. Download now? [y/N] ",
                    list, ByteSizes.format(bytes));
            if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).startsWith("y")) {
                throw new AtelierException("Nothing was downloaded. Run " + String.join(" and ", missing.values().stream()
                        .map(t -> "`" + t.pullCommand() + "`").toList()) + " when ready, or name other models (see 'atelier config').");
            }
        }
        for (String spec : missing.keySet()) resolveForUse(spec, true, err);
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Command(name = "pull", mixinStandardHelpOptions = true,
            description = {"Download a model into the Hugging Face cache (resumable; verified by SHA-256).",
                    "MODEL is a preset name (see 'atelier models presets') or ORG/NAME[@REVISION]."})
    static final class Pull implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "MODEL", description = "Preset name or REPO[@REVISION].")
        String model;

        @Option(names = "--include", paramLabel = "GLOB",
                description = "Only files matching these patterns (repeatable; e.g. 'unet/*', '*Q4_K_M.gguf'). "
                        + "Default: a preset's own patterns, else every file.")
        List<String> include = new ArrayList<>();

        @Option(names = "--no-progress", description = "Print one line per file instead of progress bars.")
        boolean noProgress;

        @Option(names = "--verify", description = "Also re-check files already in the cache against the hub's "
                + "checksums (reads every byte) and fetch damaged ones again.")
        boolean verify;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Optional<Preset> preset = parent.presets().find(model);
            RepoRef ref = preset.map(Preset::ref).orElseGet(() -> {
                if (!RepoRef.looksLikeRepoId(model)) {
                    throw new AtelierException("'" + model + "' is neither a preset (" + String.join(", ",
                            parent.presets().names()) + ") nor a hub id ORG/NAME[@REVISION].");
                }
                return RepoRef.parse(model);
            });
            GlobFilter filter = !include.isEmpty() ? new GlobFilter(include)
                    : preset.map(Preset::includeFilter).orElse(GlobFilter.all());
            ModelPuller puller = parent.puller();
            PullPlan plan = puller.plan(ref, filter, verify);
            out.printf("%s at commit %s: %d files, %s; %s to download%s%n", ref, plan.commit().substring(0, 12),
                    plan.files().size(), ByteSizes.format(plan.totalBytes()), ByteSizes.format(plan.bytesToFetch()),
                    plan.files().stream().anyMatch(f -> f.resumeFrom() > 0) ? " (resuming)" : "");
            out.flush();
            boolean bars = !noProgress && System.console() != null && System.console().isTerminal();
            PullResult result = puller.execute(plan, new DownloadProgress(out, bars ? DownloadProgress.terminalBars() : null));
            out.printf("Done: %d of %d files downloaded (%s) into%n  %s%n", result.filesDownloaded(), result.files(),
                    ByteSizes.format(result.bytesDownloaded()), result.snapshotDir());
            preset.ifPresent(p -> out.printf("Use it with %s%n",
                    switch (p.kind()) {
                        case "gguf" -> "--llm gguf:" + p.name();
                        case "clip" -> "--clip " + p.name();
                        default -> "--model " + p.name();
                    }));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the models in the Hugging Face cache with their sizes.")
    static final class ListModels implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            HubSettings settings = parent.settings();
            List<CachedRepo> repos = new HubCache(settings.cacheDir()).listRepos();
            if (repos.isEmpty()) {
                out.printf("No models in %s yet. Try: atelier models pull sd15%n", settings.cacheDir());
                return 0;
            }
            Map<String, String> presetByRepo = new HashMap<>();
            parent.presets().all().forEach(p -> presetByRepo.merge(p.repo(), p.name(), (a, b) -> a + "," + b));
            int width = Math.max(4, repos.stream().mapToInt(r -> r.repoId().length()).max().orElse(4));
            out.printf("%-" + width + "s  %9s  %-8s  %s%n", "REPO", "SIZE", "PRESET", "REVISIONS");
            long total = 0;
            for (CachedRepo r : repos) {
                total += r.sizeBytes();
                List<String> revisions = new ArrayList<>();
                r.refs().forEach((name, commit) -> revisions.add(name + "=" + shortSha(commit)));
                r.snapshots().stream().filter(s -> !r.refs().containsValue(s)).forEach(s -> revisions.add(shortSha(s)));
                out.printf("%-" + width + "s  %9s  %-8s  %s%n", r.repoId(), ByteSizes.format(r.sizeBytes()),
                        presetByRepo.getOrDefault(r.repoId(), "-"), String.join(" ", revisions));
            }
            out.printf("%d repositories, %s in %s%n", repos.size(), ByteSizes.format(total), settings.cacheDir());
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Remove models from the Hugging Face cache (every revision of each repository).")
    static final class Remove implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Spec CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "MODEL", description = "Preset name or ORG/NAME.")
        List<String> models;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            HubCache cache = new HubCache(parent.settings().cacheDir());
            for (String model : models) {
                String repoId = parent.presets().find(model).map(Preset::repo)
                        .orElseGet(() -> RepoRef.parse(model).repoId());
                long freed = cache.removeRepo(repoId);
                out.printf("Removed %s (%s freed)%n", repoId, ByteSizes.format(freed));
            }
            return 0;
        }
    }

    @Command(name = "presets", mixinStandardHelpOptions = true,
            description = "Show the named presets: exact repositories, revisions and sizes.")
    static final class ShowPresets implements Callable<Integer> {
        @ParentCommand ModelsCommand parent;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            HubCache cache = new HubCache(parent.settings().cacheDir());
            ModelResolver resolver = new ModelResolver(parent.puller(), parent.presets());
            for (Preset p : parent.presets().all()) {
                boolean cached = resolver.findCached(resolver.target(p.name())).isPresent();
                out.printf("%-22s %9s  %-10s %s%n", p.name(), "~" + ByteSizes.format(p.approxBytes()),
                        cached ? "[cached]" : "", p.description());
                out.printf("%-22s %9s  %-10s %s@%s%s%n", "", "", "", p.repo(),
                        p.pinned() ? shortSha(p.revision()) : p.revision(), p.pinned() ? " (pinned)" : "");
            }
            out.printf("Cache: %s%n", cache.root());
            return 0;
        }
    }

    private static String shortSha(String sha) { return sha.length() > 12 ? sha.substring(0, 12) : sha; }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Renders a pull: a bar per file and one for the total when bars are available (a terminal), else one line per
     * file. The hub module reports; only this class prints.
     */
    static final class DownloadProgress implements DownloadListener {
        private final PrintWriter lines;
        private final Supplier<ProgressBarBuilder> bars;
        private final Map<String, Long> firstHave = new HashMap<>();
        private final Map<String, Long> lastDone = new HashMap<>();
        private ProgressBar total;
        private ProgressBar current;
        private String currentPath;

        /** {@code bars} null: plain lines only. */
        DownloadProgress(PrintWriter lines, Supplier<ProgressBarBuilder> bars) {
            this.lines = lines;
            this.bars = bars;
        }

        static Supplier<ProgressBarBuilder> terminalBars() {
            return () -> new ProgressBarBuilder().setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(250);
        }

        /** Bars drawn into a consumer (tests capture the rendered text). */
        static Supplier<ProgressBarBuilder> barsInto(Supplier<ProgressBarConsumer> consumer) {
            return () -> new ProgressBarBuilder().setStyle(ProgressBarStyle.ASCII).setConsumer(consumer.get())
                    .setUpdateIntervalMillis(50);
        }

        @Override
        public void pullStarted(PullPlan plan) {
            if (bars != null && plan.bytesToFetch() > 0) {
                total = bars.get().setTaskName("Total").setInitialMax(plan.bytesToFetch())
                        .setUnit("MB", 1_000_000).showSpeed().build();
            }
        }

        @Override
        public void fileStarted(String path, long totalBytes, long alreadyHave) {
            firstHave.putIfAbsent(path, alreadyHave);
            lastDone.put(path, alreadyHave);
            if (bars == null || alreadyHave >= totalBytes) return;
            closeCurrent();
            currentPath = path;
            current = bars.get().setTaskName(shorten(path)).setInitialMax(totalBytes).setUnit("MB", 1_000_000)
                    .showSpeed().startsFrom(alreadyHave, Duration.ZERO).build();
        }

        @Override
        public void fileProgress(String path, long bytesDone, long totalBytes) {
            lastDone.put(path, bytesDone);
            if (current != null && path.equals(currentPath)) current.stepTo(bytesDone);
            if (total != null) total.stepTo(transferred());
        }

        @Override
        public void fileFinished(String path, long totalBytes) {
            lastDone.put(path, totalBytes);
            boolean fetched = firstHave.getOrDefault(path, 0L) < totalBytes;
            if (current != null && path.equals(currentPath)) {
                current.stepTo(totalBytes);
                closeCurrent();
            }
            if (total != null) total.stepTo(transferred());
            if (bars == null && fetched) {
                lines.printf("  fetched %s (%s)%n", path, ByteSizes.format(totalBytes));
                lines.flush();
            }
        }

        @Override
        public void pullFinished(PullResult result) {
            closeCurrent();
            if (total != null) {
                total.stepTo(total.getMax());
                total.close();
                total = null;
            }
        }

        private long transferred() {
            long sum = 0;
            for (Map.Entry<String, Long> e : lastDone.entrySet()) {
                sum += Math.max(0, e.getValue() - firstHave.getOrDefault(e.getKey(), 0L));
            }
            return sum;
        }

        private void closeCurrent() {
            if (current != null) {
                current.close();
                current = null;
                currentPath = null;
            }
        }

        private static String shorten(String path) {
            return path.length() <= 32 ? path : "…" + path.substring(path.length() - 31);
        }
    }

    static CommandLine commandLine(ModelsCommand command) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler(new FriendlyErrors());
        return cl;
    }
}
