package dev.atelier.diffusion.tokenizer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CLIP tokenizer's ready state (vocabulary, ranked merges, special tokens) in one binary file, so a start-up reads
 * it back instead of parsing {@code vocab.json} and {@code merges.txt} again. Files live in a cache folder
 * ({@code ~/.cache/atelier/tokenizers}, or the system property {@value #CACHE_PROPERTY}; {@code none} turns the cache
 * off), named by the SHA-256 of the tokenizer folder's files: a changed file gives a new name, so a stale state is
 * never read.
 */
final class CompactTokenizerFile {
    private static final Logger LOG = LoggerFactory.getLogger(CompactTokenizerFile.class);
    static final String CACHE_PROPERTY = "atelier.tokenizer.cache";
    private static final int MAGIC = 0x41544b31; // "ATK1"
    private static final int FORMAT = 1;
    /** Every file whose content changes what the tokenizer does. */
    private static final List<String> SOURCE_FILES = List.of("vocab.json", "merges.txt", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json");

    private CompactTokenizerFile() {}

    /** The tokenizer of {@code tokenizerDir}, from the cache when its files are unchanged, else parsed and cached. */
    static ClipTokenizer loadCached(Path tokenizerDir) {
        Path cacheDir = cacheDir();
        if (cacheDir == null) return ClipTokenizer.parseHuggingFaceDir(tokenizerDir);
        Path file;
        try {
            file = cacheDir.resolve(key(tokenizerDir) + ".bin");
        } catch (IOException e) {
            return ClipTokenizer.parseHuggingFaceDir(tokenizerDir); // the parser gives the clear message
        }
        if (Files.isRegularFile(file)) {
            try {
                return read(file);
            } catch (IOException | RuntimeException e) {
                LOG.debug("unreadable tokenizer cache {}; parsing the tokenizer files again", file, e);
            }
        }
        ClipTokenizer parsed = ClipTokenizer.parseHuggingFaceDir(tokenizerDir);
        try {
            write(parsed, file);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot write the tokenizer cache {}", file, e);
        }
        return parsed;
    }

    static Path cacheDir() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if ("none".equals(configured)) return null;
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? null : Path.of(home, ".cache", "atelier", "tokenizers");
    }

    /** SHA-256 over the format version and each source file's name and bytes (absent files count as absent). */
    static String key(Path tokenizerDir) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("format " + FORMAT).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (String name : SOURCE_FILES) {
                Path f = tokenizerDir.resolve(name);
                sha.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (Files.isRegularFile(f)) {
                    sha.update((byte) 1);
                    sha.update(Files.readAllBytes(f));
                } else {
                    sha.update((byte) 0);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static void write(ClipTokenizer tokenizer, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path part = Files.createTempFile(file.getParent(), "part-", ".tmp");
        try (OutputStream raw = Files.newOutputStream(part);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(tokenizer.maxLength());
            out.writeInt(tokenizer.bosId());
            out.writeInt(tokenizer.eosId());
            out.writeInt(tokenizer.unkId());
            out.writeInt(tokenizer.padId());
            writeEntries(out, new ArrayList<>(tokenizer.vocabulary().entrySet()));
            writeEntries(out, new ArrayList<>(tokenizer.mergeRanks().entrySet()));
            writeEntries(out, tokenizer.verbatimTokens());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static ClipTokenizer read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) throw new IOException("not a tokenizer cache file of this version");
            int maxLength = in.readInt();
            int bos = in.readInt();
            int eos = in.readInt();
            int unk = in.readInt();
            int pad = in.readInt();
            Map<String, Integer> vocab = readMap(in);
            Map<String, Integer> ranks = readMap(in);
            int verbatimCount = in.readInt();
            List<Map.Entry<String, Integer>> verbatim = new ArrayList<>(verbatimCount);
            for (int i = 0; i < verbatimCount; i++) verbatim.add(new AbstractMap.SimpleImmutableEntry<>(in.readUTF(), in.readInt()));
            return new ClipTokenizer(vocab, ranks, verbatim, bos, eos, unk, pad, maxLength);
        }
    }

    private static void writeEntries(DataOutputStream out, List<Map.Entry<String, Integer>> entries) throws IOException {
        out.writeInt(entries.size());
        for (Map.Entry<String, Integer> e : entries) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue());
        }
    }

    private static Map<String, Integer> readMap(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 10_000_000) throw new IOException("implausible entry count " + n);
        Map<String, Integer> map = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) map.put(in.readUTF(), in.readInt());
        return map;
    }
}
