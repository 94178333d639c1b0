package dev.atelier.bench.library;

import dev.atelier.library.AddListener;
import dev.atelier.library.AddReport;
import dev.atelier.library.LibraryMatch;
import dev.atelier.library.LuceneLibrary;
import dev.atelier.vision.clip.ImageTextEmbedder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The picture library's own cost, without CLIP: N tiny PNGs whose "embedding" is a random unit vector of 512 values
 * seeded by the picture's id, so the figures are Lucene's HNSW indexing and search plus file hashing and decoding.
 * Prints add throughput (first add, and a re-run where every picture is unchanged), search latency p50/p95 for
 * random unit queries, and recall@K of the approximate search against an exact scan.
 * Arguments: [pictures=10000] [queries=1000] [top=10] [commitEvery=the library's default].
 */
public final class LibraryBenchmark {
    static final int DIMENSION = 512;
    // held: java.util.logging keeps loggers weakly, and a collected one forgets its level
    private static final java.util.logging.Logger LUCENE_VECTORS =
            java.util.logging.Logger.getLogger("org.apache.lucene.internal.vectorization");

    private LibraryBenchmark() {}

    public static void main(String[] args) throws IOException {
        int pictures = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int commitEvery = args.length > 3 ? Integer.parseInt(args[3]) : LuceneLibrary.DEFAULT_COMMIT_EVERY;
        LUCENE_VECTORS.setLevel(java.util.logging.Level.SEVERE);
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("atelier-bench-library-");
        try {
            Path folder = dir.resolve("pictures");
            long t0 = System.nanoTime();
            writePictures(folder, pictures);
            out.printf(Locale.ROOT, "wrote %d pictures (8x8 PNG) in %.1f s%n", pictures, (System.nanoTime() - t0) / 1e9);

            RandomEmbedder embedder = new RandomEmbedder();
            try (LuceneLibrary library = LuceneLibrary.open(dir.resolve("index"), embedder).commitEvery(commitEvery)) {
                long start = System.nanoTime();
                double cpuBefore = cpuSeconds();
                AddReport first = library.add(List.of(folder), AddListener.NONE);
                double firstSeconds = (System.nanoTime() - start) / 1e9;
                double firstCpu = cpuSeconds() - cpuBefore;
                start = System.nanoTime();
                AddReport again = library.add(List.of(folder), AddListener.NONE);
                double againSeconds = (System.nanoTime() - start) / 1e9;
                out.printf(Locale.ROOT, "add, %d new pictures, %d-dim embeddings, commit every %d or %d s: %.1f s, %.0f pictures/s"
                                + " (process CPU %.1f s; on a busy machine wall time exceeds it)%n", first.added(), DIMENSION,
                        commitEvery, LuceneLibrary.DEFAULT_COMMIT_INTERVAL.toSeconds(), firstSeconds,
                        first.added() / firstSeconds, firstCpu);
                out.printf(Locale.ROOT, "add again, %d unchanged: %.2f s, %.0f pictures/s%n",
                        again.unchanged(), againSeconds, again.unchanged() / againSeconds);

                Random random = new Random(1234);
                float[][] probes = new float[queries][];
                for (int i = 0; i < queries; i++) probes[i] = unitGaussian(random);
                for (int i = 0; i < Math.min(200, queries); i++) library.nearest(probes[i], top); // warm-up
                long[] nanos = new long[queries];
                double recall = 0;
                Map<String, float[]> vectors = embedder.byPath(folder, pictures);
                for (int i = 0; i < queries; i++) {
                    long s = System.nanoTime();
                    List<LibraryMatch> found = library.nearest(probes[i], top);
                    nanos[i] = System.nanoTime() - s;
                    if (i < 100) recall += recall(found, exactTop(vectors, probes[i], top));
                }
                Arrays.sort(nanos);
                out.printf(Locale.ROOT, "search top %d of %d: p50 %.2f ms, p95 %.2f ms, max %.2f ms over %d queries%n", top,
                        library.size(), nanos[queries / 2] / 1e6, nanos[(int) (queries * 0.95)] / 1e6,
                        nanos[queries - 1] / 1e6, queries);
                out.printf(Locale.ROOT, "recall@%d of the HNSW search against an exact scan: %.3f (100 queries)%n",
                        top, recall / Math.min(100, queries));
            }
            out.printf(Locale.ROOT, "index on disk: %.1f MB%n", folderBytes(dir.resolve("index")) / 1e6);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** CPU time of this process (all threads, Lucene's merges included). */
    static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** Picture i is an 8x8 PNG whose first pixel holds i in its 24 bits: distinct content, id readable back. */
    static void writePictures(Path folder, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Path sub = folder.resolve(String.format("%03d", i / 1000));
            Files.createDirectories(sub);
            BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, i);
            ImageIO.write(image, "png", sub.resolve(String.format("p%05d.png", i)).toFile());
        }
    }

    static float[] unitGaussian(Random random) {
        float[] v = new float[DIMENSION];
        double norm = 0;
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < DIMENSION; i++) v[i] /= (float) norm;
        return v;
    }

    static Set<String> exactTop(Map<String, float[]> vectors, float[] query, int top) {
        List<Map.Entry<String, Double>> scored = new ArrayList<>();
        vectors.forEach((path, v) -> scored.add(Map.entry(path, ImageTextEmbedder.similarity(query, v))));
        scored.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        Set<String> best = new HashSet<>();
        for (int i = 0; i < Math.min(top, scored.size()); i++) best.add(scored.get(i).getKey());
        return best;
    }

    static double recall(List<LibraryMatch> found, Set<String> exact) {
        long hits = found.stream().filter(m -> exact.contains(m.path().toString())).count();
        return (double) hits / exact.size();
    }

    static long folderBytes(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** A stand-in for CLIP: a seeded random unit vector per picture id (its first pixel). */
    static final class RandomEmbedder implements ImageTextEmbedder {
        @Override public int dimension() { return DIMENSION; }

        @Override public String modelId() { return "random-unit-" + DIMENSION; }

        @Override public float[] embedText(String text) { return unitGaussian(new Random(text.hashCode())); }

        @Override public float[] embedImage(BufferedImage image) { return forId(image.getRGB(0, 0) & 0xffffff); }

        static float[] forId(int id) { return unitGaussian(new Random(id * 7919L + 17)); }

        /** The embedding of every picture by its absolute path, for the exact scan. */
        Map<String, float[]> byPath(Path folder, int count) {
            Map<String, float[]> vectors = new HashMap<>();
            for (int i = 0; i < count; i++) {
                Path file = folder.resolve(String.format("%03d", i / 1000)).resolve(String.format("p%05d.png", i));
                vectors.put(file.toAbsolutePath().normalize().toString(), forId(i));
            }
            return vectors;
        }

        @Override public void close() { }
    }
}
