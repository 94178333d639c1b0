package dev.atelier.app.cli;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Images;
import dev.atelier.library.AddListener;
import dev.atelier.library.AddReport;
import dev.atelier.library.LibraryLocations;
import dev.atelier.library.LibraryMatch;
import dev.atelier.library.LuceneLibrary;
import dev.atelier.library.PictureFiles;
import dev.atelier.vision.clip.ImageTextEmbedder;
import dev.atelier.vision.clip.OnnxClipModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code atelier library}: index folders of pictures by their CLIP embeddings and search them by words or by a
 * picture. The CLIP model and the environment are injectable so tests use toy models and a temporary index.
 */
@Command(name = "library", mixinStandardHelpOptions = true,
        description = {"Index pictures by their CLIP embeddings and search them by words or by a picture.",
                "The index lives in $" + LibraryLocations.ENV + ", else $XDG_DATA_HOME/atelier/library, else",
                "~/.local/share/atelier/library, unless --index names a folder."},
        subcommands = {LibraryCommand.Add.class, LibraryCommand.Search.class},
        footer = {"", "Examples:",
                "  atelier library add ~/Pictures ~/Downloads/art",
                "  atelier library search \"a lighthouse at dusk\" --top 5",
                "  atelier library search --image sketch.png"})
final class LibraryCommand implements Runnable {
    /** The default --clip: the CLIP preset of the hub. */
    static final String DEFAULT_CLIP = "clip";

    /** Loads the CLIP model a user named (a folder, a preset or a hub id). */
    @FunctionalInterface
    interface ClipLoader {
        ImageTextEmbedder load(String clipSpec, boolean pull, PrintWriter err);
    }

    // Lucene reports through java.util.logging that the JDK's incubating vector API is not enabled; that costs a
    // little search speed, nothing the user must act on, so it stays off the terminal. Held so it is not collected.
    private static final Logger LUCENE_VECTORS = Logger.getLogger("org.apache.lucene.internal.vectorization");

    static {
        LUCENE_VECTORS.setLevel(Level.SEVERE);
    }

    private final Function<String, String> env;
    private final ClipLoader clipLoader;

    @Spec
    CommandSpec spec;

    LibraryCommand() { this(System::getenv, LibraryCommand::loadOnnxClip); }

    LibraryCommand(Function<String, String> env, ClipLoader clipLoader) {
        this.env = env;
        this.clipLoader = clipLoader;
    }

    @Override
    public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    static ImageTextEmbedder loadOnnxClip(String clipSpec, boolean pull, PrintWriter err) {
        return OnnxClipModel.open(ModelsCommand.resolveForUse(clipSpec, pull, err));
    }

    Path indexDir(Path given) { return given != null ? given : LibraryLocations.defaultIndex(env); }

    ImageTextEmbedder loadClip(ModelOptions options, PrintWriter err) {
        return clipLoader.load(options.clip, options.pull, err);
    }

    /** Options shared by the subcommands. */
    static final class ModelOptions {
        @Option(names = "--clip", paramLabel = "MODEL", defaultValue = DEFAULT_CLIP,
                description = "CLIP model: a folder of a CLIP ONNX export, a preset or a hub id (default: ${DEFAULT-VALUE}).")
        String clip;

        @Option(names = "--pull", description = "Download the CLIP model first when it is not in the cache yet.")
        boolean pull;

        @Option(names = "--index", paramLabel = "DIR", description = "The library's index folder (default: see 'atelier library --help').")
        Path index;
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Index every picture (PNG, JPEG, WebP) under the folders.",
                    "Incremental: unchanged pictures are not embedded again, moved ones keep their embedding, and",
                    "pictures gone from the folders leave the index. Safe to stop at any time: run it again to finish."})
    static final class Add implements Callable<Integer> {
        @ParentCommand LibraryCommand parent;
        @Spec CommandSpec spec;
        @Mixin ModelOptions options;

        @Parameters(arity = "1..*", paramLabel = "FOLDER", description = "Folders (or single pictures) to index.")
        List<Path> folders;

        @Option(names = "--rebuild", description = "Drop the whole index first (e.g. after changing --clip) and embed every picture again.")
        boolean rebuild;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            PictureFiles.checkFolders(folders); // a missing folder fails before the model loads
            Path index = parent.indexDir(options.index);
            long start = System.nanoTime();
            AddReport report;
            try (ImageTextEmbedder clip = parent.loadClip(options, err);
                 LuceneLibrary library = LuceneLibrary.open(index, clip);
                 Progress progress = new Progress(err)) {
                report = rebuild ? library.rebuild(folders, progress) : library.add(folders, progress);
            }
            int found = report.added() + report.changed() + report.moved() + report.unchanged() + report.failed().size();
            out.printf(Locale.ROOT, "%d pictures found: %d added, %d changed, %d moved, %d unchanged, %d removed, %d skipped"
                            + " (%d embedded in %.1f s)%n", found, report.added(), report.changed(), report.moved(),
                    report.unchanged(), report.removed(), report.failed().size(), report.embedded(),
                    (System.nanoTime() - start) / 1e9);
            out.printf("library %s: %d pictures%n", index, report.size());
            return 0;
        }
    }

    /** A progress bar on stderr; skipped pictures are reported as lines above it. */
    static final class Progress implements AddListener, AutoCloseable {
        private final PrintWriter err;
        private ProgressBar bar;

        Progress(PrintWriter err) { this.err = err; }

        @Override
        public void started(int pictures) {
            if (pictures == 0) return;
            bar = new ProgressBarBuilder().setTaskName("Indexing").setInitialMax(pictures)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200)
                    .setConsumer(new DelegatingProgressBarConsumer(line -> {
                        err.print('\r' + line);
                        err.flush();
                    }, 80)).build();
        }

        @Override
        public void failed(Path picture, String reason) {
            synchronized (err) {
                err.print(bar == null ? "" : "\r" + " ".repeat(80) + "\r");
                err.println("skipped: " + reason);
                err.flush();
            }
        }

        @Override
        public void settled(Path picture, Outcome outcome) {
            if (bar != null) bar.step();
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                err.println();
                bar = null;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "Find the pictures most like some words or another picture; prints scores (cosine "
                    + "similarity, -1 to 1) and paths, best first.")
    static final class Search implements Callable<Integer> {
        @ParentCommand LibraryCommand parent;
        @Spec CommandSpec spec;
        @Mixin ModelOptions options;

        @ArgGroup(multiplicity = "1")
        Query query;

        static final class Query {
            @Parameters(paramLabel = "QUERY", description = "What to look for, in words.")
            String words;

            @Option(names = "--image", paramLabel = "FILE", description = "Find pictures similar to this one instead.")
            Path image;
        }

        @Option(names = "--top", paramLabel = "K", defaultValue = "10", description = "How many results (default: ${DEFAULT-VALUE}).")
        int top;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (top < 1) throw new AtelierException("--top must be at least 1, not " + top);
            Path index = parent.indexDir(options.index);
            if (!LuceneLibrary.exists(index)) {
                throw new AtelierException("no picture library in " + index + " yet: add pictures with"
                        + " 'atelier library add FOLDER…'" + (options.index == null ? "" : " --index " + options.index));
            }
            var picture = query.image == null ? null : Images.read(query.image);
            List<LibraryMatch> matches;
            try (ImageTextEmbedder clip = parent.loadClip(options, err);
                 LuceneLibrary library = LuceneLibrary.open(index, clip)) {
                matches = picture == null ? library.search(query.words, top) : library.searchSimilar(picture, top);
            }
            if (matches.isEmpty()) {
                err.println("the library in " + index + " is empty: add pictures with 'atelier library add FOLDER…'");
                return 0;
            }
            for (LibraryMatch m : matches) {
                out.printf(Locale.ROOT, "%7.4f  %s%s%n", m.score(), m.path(), m.caption() == null ? "" : "  (" + m.caption() + ")");
            }
            return 0;
        }
    }
}
