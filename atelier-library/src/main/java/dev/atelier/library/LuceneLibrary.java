package dev.atelier.library;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.ImageLoadException;
import dev.atelier.core.image.Images;
import dev.atelier.vision.caption.Captioner;
import dev.atelier.vision.clip.ImageTextEmbedder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * A picture library in a Lucene index on disk: one document per picture file, holding its path, SHA-256, caption,
 * size and modification time, and its CLIP embedding in an HNSW vector field (dot product of unit vectors = cosine).
 * The embedding is also stored, so moved and copied pictures keep theirs without going through the model again.
 *
 * <p>Crash safety comes from Lucene's commits: {@link #add} commits every {@link #commitEvery} pictures, each
 * picture is one document written whole, and a killed add leaves the last commit; running it again finishes the job.
 * The model that made the embeddings is recorded in every commit; searching or adding with another model is refused.
 * Searches read a point-in-time view, so they work while an add runs in another process.
 */
public final class LuceneLibrary implements PictureLibrary {
    static final String PATH = "path";
    static final String HASH = "sha256";
    static final String CAPTION = "caption";
    static final String SIZE = "size";
    static final String MODIFIED = "modified";
    static final String INDEXED = "indexed";
    static final String VECTOR = "vector";
    static final String EMBEDDING = "embedding";
    static final String MODEL_KEY = "atelier.clip.model";
    static final String DIMENSION_KEY = "atelier.clip.dimension";

    /** Pictures per commit at most; with {@link #DEFAULT_COMMIT_INTERVAL}, bounds the work a killed add loses. */
    public static final int DEFAULT_COMMIT_EVERY = 1000;
    /** Time between commits at most: with a real CLIP model this, not the count, usually ends a batch. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(10);
    /**
     * Candidates the HNSW search collects before keeping the best {@code top}: Lucene's {@code k} is also the search's
     * beam width, and a beam of 10 misses many true neighbours of 512-value embeddings (recall about 0.4 in the
     * benchmark); 100 brings recall near 1 for a few milliseconds.
     */
    static final int MIN_CANDIDATES = 100;
    /** A file modified this close to its indexing time is hashed again even if size and time match (racy edits). */
    private static final long RACY_MILLIS = 2_000;

    private final Path indexDir;
    private final ImageTextEmbedder embedder;
    private final Captioner captioner;
    private Directory directory; // null until the folder exists: opening for a search creates nothing
    private DirectoryReader reader;
    private int commitEvery = DEFAULT_COMMIT_EVERY;
    private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;

    private LuceneLibrary(Path indexDir, ImageTextEmbedder embedder, Captioner captioner, Directory directory) {
        this.indexDir = indexDir;
        this.embedder = embedder;
        this.captioner = captioner;
        this.directory = directory;
    }

    public static LuceneLibrary open(Path indexDir, ImageTextEmbedder embedder) {
        return open(indexDir, embedder, null);
    }

    /**
     * Opens (or prepares to create) the library in {@code indexDir}; nothing is written until {@link #add}.
     * {@code captioner} may be null: pictures are then indexed without captions.
     */
    public static LuceneLibrary open(Path indexDir, ImageTextEmbedder embedder, Captioner captioner) {
        Path dir = indexDir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new AtelierException("the library folder " + indexDir + " is a file: choose a folder for the index");
        }
        try {
            Directory directory = Files.isDirectory(dir) ? FSDirectory.open(dir) : null;
            LuceneLibrary library = new LuceneLibrary(dir, embedder, captioner, directory);
            if (directory != null) {
                if (DirectoryReader.indexExists(directory)) {
                    library.reader = DirectoryReader.open(directory);
                } else if (hasOtherFiles(dir)) {
                    directory.close();
                    throw new AtelierException(indexDir + " holds other files and no picture library: choose an empty"
                            + " or new folder for the index");
                }
            }
            return library;
        } catch (IndexFormatTooOldException | IndexFormatTooNewException e) {
            throw new AtelierException("the picture library in " + indexDir + " was written by another version of"
                    + " Atelier: rebuild it (atelier library add --rebuild FOLDER…)", e);
        } catch (IOException e) {
            throw new AtelierException("cannot open the picture library in " + indexDir + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code indexDir} holds a library (cheap: no model needed). */
    public static boolean exists(Path indexDir) {
        if (!Files.isDirectory(indexDir)) return false;
        try (Directory directory = FSDirectory.open(indexDir)) {
            return DirectoryReader.indexExists(directory);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hasOtherFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> !f.getFileName().toString().equals("write.lock"));
        }
    }

    /** Commits after this many pictures at most (at least 1). */
    public LuceneLibrary commitEvery(int pictures) {
        if (pictures < 1) throw new IllegalArgumentException("commitEvery must be at least 1: " + pictures);
        this.commitEvery = pictures;
        return this;
    }

    /** Commits when this much time has passed since the last commit, whatever the count. */
    public LuceneLibrary commitInterval(Duration interval) {
        if (interval.isNegative()) throw new IllegalArgumentException("negative commit interval: " + interval);
        this.commitInterval = interval;
        return this;
    }

    public Path indexDir() { return indexDir; }

    /** The model id recorded in the index, or null for a library with nothing committed yet. */
    public synchronized String indexedModel() {
        return reader == null ? null : commitData().get(MODEL_KEY);
    }

    private Map<String, String> commitData() {
        try {
            return reader.getIndexCommit().getUserData();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireSameModel() {
        String indexed = indexedModel();
        if (indexed != null && !indexed.equals(embedder.modelId())) {
            throw new AtelierException("the picture library in " + indexDir + " was indexed with CLIP model '" + indexed
                    + "', not '" + embedder.modelId() + "': search with that model, rebuild the library with"
                    + " 'atelier library add --rebuild FOLDER…', or give another --index folder");
        }
    }

    @Override
    public synchronized int size() {
        refresh();
        return reader == null ? 0 : reader.numDocs();
    }

    @Override
    public List<LibraryMatch> search(String query, int top) {
        if (query == null || query.isBlank()) throw new AtelierException("the search query is empty: say what to look for");
        return nearest(unit(embedder.embedText(query), "the query"), top);
    }

    @Override
    public List<LibraryMatch> searchSimilar(BufferedImage image, int top) {
        return nearest(unit(embedder.embedImage(image), "the picture"), top);
    }

    /** The {@code top} nearest pictures by cosine similarity, best first. */
    public synchronized List<LibraryMatch> nearest(float[] query, int top) {
        if (top < 1) throw new AtelierException("--top must be at least 1, not " + top);
        refresh();
        if (reader == null || reader.numDocs() == 0) return List.of();
        requireSameModel();
        checkDimension(query.length, "the query");
        try {
            IndexSearcher searcher = new IndexSearcher(reader);
            int candidates = Math.max(top, MIN_CANDIDATES);
            TopDocs hits = searcher.search(new KnnFloatVectorQuery(EMBEDDING, query, candidates), candidates);
            StoredFields stored = searcher.storedFields();
            List<LibraryMatch> matches = new ArrayList<>();
            for (ScoreDoc hit : hits.scoreDocs) {
                if (matches.size() == top) break; // hits come best first
                Document doc = stored.document(hit.doc);
                // the stored vector gives the exact cosine; Lucene's score is (1 + cosine) / 2 in float precision
                double score = ImageTextEmbedder.similarity(query, vector(doc));
                matches.add(new LibraryMatch(Path.of(doc.get(PATH)), score, doc.get(CAPTION), doc.get(HASH)));
            }
            matches.sort(Comparator.comparingDouble(LibraryMatch::score).reversed());
            return matches;
        } catch (IOException e) {
            throw new AtelierException("cannot search the picture library in " + indexDir + ": " + e.getMessage(), e);
        }
    }

    /** Indexes every picture under the folders, incrementally (see {@link AddReport}). */
    public AddReport add(List<Path> folders, AddListener listener) {
        return index(folders, listener, false);
    }

    /** Drops every entry (for example made with another model) and indexes the folders afresh. */
    public AddReport rebuild(List<Path> folders, AddListener listener) {
        return index(folders, listener, true);
    }

    private synchronized AddReport index(List<Path> folders, AddListener listener, boolean rebuild) {
        List<Path> roots = PictureFiles.checkFolders(folders);
        refresh();
        if (!rebuild) requireSameModel();
        List<Path> pictures = PictureFiles.under(roots);
        try {
            if (directory == null) {
                Files.createDirectories(indexDir);
                directory = FSDirectory.open(indexDir);
            }
            AddReport report;
            try (IndexWriter writer = openWriter(directory, rebuild)) {
                report = new Run(writer, listener, rebuild).index(roots, pictures);
            }
            reopen(directory);
            return report;
        } catch (LockObtainFailedException e) {
            throw new AtelierException("another 'atelier library add' is writing the library in " + indexDir
                    + ": wait for it to finish", e);
        } catch (IOException e) {
            throw new AtelierException("cannot write the picture library in " + indexDir + ": " + e.getMessage(), e);
        }
    }

    private IndexWriter openWriter(Directory target, boolean rebuild) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig()
                .setOpenMode(rebuild ? IndexWriterConfig.OpenMode.CREATE : IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setCommitOnClose(false); // only deliberate commits: a failed add leaves the last good one
        IndexWriter writer = new IndexWriter(target, config);
        writer.setLiveCommitData(Map.of(MODEL_KEY, embedder.modelId(),
                DIMENSION_KEY, Integer.toString(embedder.dimension())).entrySet());
        return writer;
    }

    private void reopen(Directory target) throws IOException {
        if (!DirectoryReader.indexExists(target)) return;
        if (reader != null) reader.close();
        reader = DirectoryReader.open(target);
    }

    /** Sees commits made since the last look (by this object or another process). */
    private void refresh() {
        try {
            if (reader != null) {
                DirectoryReader newer = DirectoryReader.openIfChanged(reader);
                if (newer != null) {
                    reader.close();
                    reader = newer;
                }
            } else if (directory != null && DirectoryReader.indexExists(directory)) {
                reader = DirectoryReader.open(directory);
            }
        } catch (IOException e) {
            throw new AtelierException("cannot read the picture library in " + indexDir + ": " + e.getMessage(), e);
        }
    }

    private void checkDimension(int length, String what) {
        String recorded = reader == null ? null : commitData().get(DIMENSION_KEY);
        int expected = recorded != null ? Integer.parseInt(recorded) : embedder.dimension();
        if (length != expected) {
            throw new AtelierException("the CLIP model gave " + what + " an embedding of " + length
                    + " values; the library holds embeddings of " + expected);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (reader != null) reader.close();
            if (directory != null) directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            reader = null;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** An indexed picture as the add found it. */
    private record Entry(String path, String hash, long size, long modified, long indexed, int doc) { }

    /** An embedding and caption that a copy or a moved picture can reuse. */
    private record Reusable(String fromPath, float[] vector, String caption) { }

    /** One add: the index's entries before it, the counts, and the pending batch. */
    private final class Run {
        private final IndexWriter writer;
        private final AddListener listener;
        private final DirectoryReader before;
        private final Map<String, Entry> byPath = new HashMap<>();
        private final Map<String, List<Entry>> byHash = new HashMap<>();
        private final Map<String, Reusable> madeNow = new HashMap<>();
        private final Set<String> movedAway = new HashSet<>();
        private final List<AddReport.Failure> failures = new ArrayList<>();
        private int added, changed, moved, unchanged, removed, embedded, pending;
        private long lastCommit = System.nanoTime();

        Run(IndexWriter writer, AddListener listener, boolean rebuild) throws IOException {
            this.writer = writer;
            this.listener = listener;
            this.before = rebuild ? null : DirectoryReader.open(writer);
            if (before != null) loadEntries();
        }

        private void loadEntries() throws IOException {
            for (LeafReaderContext leaf : before.leaves()) {
                Bits live = leaf.reader().getLiveDocs();
                StoredFields stored = leaf.reader().storedFields();
                for (int i = 0; i < leaf.reader().maxDoc(); i++) {
                    if (live != null && !live.get(i)) continue;
                    Document doc = stored.document(i, Set.of(PATH, HASH, SIZE, MODIFIED, INDEXED));
                    Entry entry = new Entry(doc.get(PATH), doc.get(HASH), longValue(doc, SIZE),
                            longValue(doc, MODIFIED), longValue(doc, INDEXED), leaf.docBase + i);
                    byPath.put(entry.path(), entry);
                    byHash.computeIfAbsent(entry.hash(), h -> new ArrayList<>()).add(entry);
                }
            }
        }

        AddReport index(List<Path> roots, List<Path> pictures) throws IOException {
            try {
                listener.started(pictures.size());
                Set<String> seen = new HashSet<>();
                for (Path picture : pictures) {
                    seen.add(picture.toString());
                    AddListener.Outcome outcome = settle(picture);
                    if (pending >= commitEvery || pending > 0 && System.nanoTime() - lastCommit >= commitInterval.toNanos()) {
                        commit();
                    }
                    listener.settled(picture, outcome);
                }
                for (Entry entry : byPath.values()) {
                    if (seen.contains(entry.path()) || movedAway.contains(entry.path())) continue;
                    Path path = Path.of(entry.path());
                    if (roots.stream().anyMatch(path::startsWith)) {
                        writer.deleteDocuments(new Term(PATH, entry.path()));
                        removed++;
                        pending++;
                    }
                }
                commit();
                return new AddReport(added, changed, moved, unchanged, removed, failures, embedded, writer.getDocStats().numDocs);
            } finally {
                if (before != null) before.close();
            }
        }

        private void commit() throws IOException {
            if (writer.hasUncommittedChanges() || pending > 0) writer.commit();
            pending = 0;
            lastCommit = System.nanoTime();
        }

        private AddListener.Outcome settle(Path picture) throws IOException {
            String key = picture.toString();
            Entry known = byPath.get(key);
            BasicFileAttributes attributes;
            byte[] bytes;
            try {
                attributes = Files.readAttributes(picture, BasicFileAttributes.class);
                long modified = attributes.lastModifiedTime().toMillis();
                if (known != null && known.size() == attributes.size() && known.modified() == modified
                        && modified < known.indexed() - RACY_MILLIS) {
                    unchanged++;
                    return AddListener.Outcome.UNCHANGED;
                }
                bytes = Files.readAllBytes(picture);
            } catch (IOException e) {
                return fail(picture, known, "cannot read " + picture + ": " + e.getMessage());
            }
            String hash = sha256(bytes);
            long size = bytes.length;
            long modified = attributes.lastModifiedTime().toMillis();
            if (known != null && known.hash().equals(hash)) {
                if (known.modified() != modified || known.size() != size) {
                    // same content, new timestamp: refresh the entry so the next add skips hashing it. An entry
                    // hashed only because it was indexed right after an edit stays as it is: rewriting it would
                    // cost a vector-graph insert (and merges), hashing it again costs a read.
                    Document old = before.storedFields().document(known.doc());
                    write(key, hash, size, modified, vector(old), old.get(CAPTION));
                }
                unchanged++;
                return AddListener.Outcome.UNCHANGED;
            }
            Reusable reusable = reusable(hash);
            if (reusable != null) {
                boolean isMove = reusable.fromPath() != null && !Files.exists(Path.of(reusable.fromPath()));
                write(key, hash, size, modified, reusable.vector(), reusable.caption());
                if (isMove) {
                    writer.deleteDocuments(new Term(PATH, reusable.fromPath()));
                    movedAway.add(reusable.fromPath());
                    byHash.get(hash).removeIf(e -> e.path().equals(reusable.fromPath()));
                }
                madeNow.putIfAbsent(hash, new Reusable(key, reusable.vector(), reusable.caption()));
                if (known != null) { changed++; return AddListener.Outcome.CHANGED; }
                if (isMove) { moved++; return AddListener.Outcome.MOVED; }
                added++;
                return AddListener.Outcome.ADDED;
            }
            float[] vector;
            String caption;
            try {
                BufferedImage image = Images.decode(bytes, picture.toString(), Images.maxPixels());
                embedded++;
                vector = unit(embedder.embedImage(image), picture.toString());
                if (vector.length != embedder.dimension()) {
                    throw new AtelierException("the CLIP model gave " + picture + " an embedding of " + vector.length
                            + " values instead of " + embedder.dimension());
                }
                caption = captioner == null ? null : captioner.caption(image);
            } catch (ImageLoadException e) {
                return fail(picture, known, e.getMessage());
            } catch (RuntimeException e) {
                return fail(picture, known, picture + " could not be indexed: " + e.getMessage());
            }
            write(key, hash, size, modified, vector, caption);
            madeNow.putIfAbsent(hash, new Reusable(key, vector, caption));
            if (known != null) { changed++; return AddListener.Outcome.CHANGED; }
            added++;
            return AddListener.Outcome.ADDED;
        }

        /** An embedding of the same content: made in this run, or an indexed entry (preferring one whose file is gone). */
        private Reusable reusable(String hash) throws IOException {
            List<Entry> same = byHash.getOrDefault(hash, List.of());
            Entry gone = same.stream().filter(e -> !Files.exists(Path.of(e.path())) && !movedAway.contains(e.path()))
                    .findFirst().orElse(null);
            if (gone != null) {
                Document doc = before.storedFields().document(gone.doc());
                return new Reusable(gone.path(), vector(doc), doc.get(CAPTION));
            }
            Reusable now = madeNow.get(hash);
            if (now != null) return new Reusable(null, now.vector(), now.caption());
            Entry present = same.stream().filter(e -> !movedAway.contains(e.path())).findFirst().orElse(null);
            if (present == null) return null;
            Document doc = before.storedFields().document(present.doc());
            return new Reusable(null, vector(doc), doc.get(CAPTION));
        }

        private AddListener.Outcome fail(Path picture, Entry known, String reason) throws IOException {
            if (known != null) {
                // its content changed into something unreadable: the old embedding no longer describes it
                writer.deleteDocuments(new Term(PATH, known.path()));
                pending++;
            }
            failures.add(new AddReport.Failure(picture, reason));
            listener.failed(picture, reason);
            return AddListener.Outcome.FAILED;
        }

        private void write(String path, String hash, long size, long modified, float[] vector, String caption)
                throws IOException {
            Document doc = new Document();
            doc.add(new StringField(PATH, path, Field.Store.YES));
            doc.add(new StringField(HASH, hash, Field.Store.YES));
            doc.add(new StoredField(SIZE, size));
            doc.add(new StoredField(MODIFIED, modified));
            doc.add(new StoredField(INDEXED, System.currentTimeMillis()));
            doc.add(new StoredField(VECTOR, toBytes(vector)));
            doc.add(new KnnFloatVectorField(EMBEDDING, vector, VectorSimilarityFunction.DOT_PRODUCT));
            if (caption != null && !caption.isBlank()) doc.add(new StoredField(CAPTION, caption.strip()));
            writer.updateDocument(new Term(PATH, path), doc);
            pending++;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static long longValue(Document doc, String field) {
        IndexableField value = doc.getField(field);
        return value == null || value.numericValue() == null ? 0 : value.numericValue().longValue();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The embedding scaled to length 1 (the model's own normalisation may be off by float rounding). */
    static float[] unit(float[] embedding, String what) {
        double norm = 0;
        for (float v : embedding) norm += (double) v * v;
        norm = Math.sqrt(norm);
        if (!(norm > 1e-12) || !Double.isFinite(norm)) {
            throw new AtelierException("the CLIP model gave " + what + " an embedding of length " + norm
                    + ", which matches nothing");
        }
        float[] unit = new float[embedding.length];
        for (int i = 0; i < unit.length; i++) unit[i] = (float) (embedding[i] / norm);
        return unit;
    }

    private static BytesRef toBytes(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(vector);
        return new BytesRef(buffer.array());
    }

    private static float[] vector(Document doc) {
        BytesRef bytes = doc.getBinaryValue(VECTOR);
        float[] vector = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
        return vector;
    }
}
