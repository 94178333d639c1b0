package dev.atelier.diffusion.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compact cached tokenizer gives the same ids as parsing {@code vocab.json}/{@code merges.txt}, on the real CLIP
 * vocabulary written out in the Hugging Face layout; a changed or damaged source is never served from the cache.
 */
class CompactTokenizerFileTest {

    /** The real CLIP vocabulary as a Hugging Face tokenizer folder (vocab.json, merges.txt). */
    private static Path writeHuggingFaceFolder(Path dir) throws Exception {
        ClipTokenizer original = RealClipVocab.sd1();
        Files.createDirectories(dir);
        Map<String, Integer> byId = new TreeMap<>();
        Map<Integer, String> ordered = new TreeMap<>();
        original.vocabulary().forEach((token, id) -> ordered.put(id, token));
        Map<String, Integer> vocab = new LinkedHashMap<>();
        ordered.forEach((id, token) -> vocab.put(token, id));
        new ObjectMapper().writeValue(dir.resolve("vocab.json").toFile(), vocab);
        List<String> merges = new ArrayList<>();
        merges.add("#version: 0.2");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(RealClipVocab.gzPath())), StandardCharsets.UTF_8))) {
            in.readLine();
            String line;
            while (merges.size() <= ClipTokenizer.MAX_MERGES && (line = in.readLine()) != null) merges.add(line);
        }
        Files.write(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
        byId.clear();
        return dir;
    }

    private static List<String> corpus() {
        String[] words = {"a", "photo", "of", "an", "astronaut", "riding", "horse", "on", "mars", "Crème", "brûlée",
                "(masterpiece:1.2)", "東京", "naïve", "don't", "it's", "8k", "HDR,", "ultra-detailed", "<|endoftext|>", "🙂",
                "lighthouse", "BREAK", "[blurry]", "x", "1024x768"};
        Random random = new Random(7);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            StringBuilder text = new StringBuilder();
            int n = 1 + random.nextInt(12);
            for (int w = 0; w < n; w++) text.append(words[random.nextInt(words.length)]).append(random.nextBoolean() ? " " : ", ");
            texts.add(text.toString());
        }
        return texts;
    }

    @Test
    void theCachedTokenizerGivesTheParsedTokenizersIdsOnTheRealVocabulary(@TempDir Path tmp) throws Exception {
        Path folder = writeHuggingFaceFolder(tmp.resolve("tokenizer"));
        Path cacheFile = tmp.resolve("cache").resolve(CompactTokenizerFile.key(folder) + ".bin");
        ClipTokenizer parsed = ClipTokenizer.parseHuggingFaceDir(folder);
        CompactTokenizerFile.write(parsed, cacheFile);
        ClipTokenizer cached = CompactTokenizerFile.read(cacheFile);

        assertThat(cached.vocabulary()).isEqualTo(parsed.vocabulary());
        assertThat(cached.mergeRanks()).isEqualTo(parsed.mergeRanks());
        for (String text : corpus()) {
            assertThat(cached.encode(text)).as(text).containsExactly(parsed.encode(text));
            assertThat(cached.encode(text)).as(text).containsExactly(RealClipVocab.sd1().encode(text));
            assertThat(cached.encodePadded(text)).containsExactly(parsed.encodePadded(text));
        }
        assertThat(cached.encode("a photo of a cat")).containsExactly(320, 1125, 539, 320, 2368);
    }

    @Test
    void theCacheIsWrittenOnFirstUseReadAfterwardsAndKeyedByTheFilesContent(@TempDir Path tmp) throws Exception {
        Path folder = writeHuggingFaceFolder(tmp.resolve("tokenizer"));
        String before = System.getProperty(CompactTokenizerFile.CACHE_PROPERTY);
        System.setProperty(CompactTokenizerFile.CACHE_PROPERTY, tmp.resolve("cache").toString());
        try {
            ClipTokenizer first = ClipTokenizer.fromHuggingFaceDir(folder);
            Path file = tmp.resolve("cache").resolve(CompactTokenizerFile.key(folder) + ".bin");
            assertThat(file).isRegularFile();
            assertThat(ClipTokenizer.fromHuggingFaceDir(folder).encode("a photo of a cat")).containsExactly(first.encode("a photo of a cat"));

            // A changed merge list is a new key: the old state is not used.
            List<String> merges = new ArrayList<>(Files.readAllLines(folder.resolve("merges.txt")));
            int catMerge = merges.indexOf("c at</w>");
            assertThat(catMerge).isPositive();
            merges.remove(catMerge);
            Files.write(folder.resolve("merges.txt"), merges);
            assertThat(CompactTokenizerFile.key(folder)).isNotEqualTo(file.getFileName().toString().replace(".bin", ""));
            ClipTokenizer changed = ClipTokenizer.fromHuggingFaceDir(folder);
            assertThat(changed.encode("cat")).containsExactly(ClipTokenizer.parseHuggingFaceDir(folder).encode("cat"))
                    .isNotEqualTo(first.encode("cat"));

            // A damaged cache file is parsed around, not trusted.
            Path damaged = tmp.resolve("cache").resolve(CompactTokenizerFile.key(folder) + ".bin");
            Files.write(damaged, new byte[] {1, 2, 3});
            assertThat(ClipTokenizer.fromHuggingFaceDir(folder).encode("cat")).containsExactly(changed.encode("cat"));
            try (Stream<Path> files = Files.list(tmp.resolve("cache"))) {
                assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
            }
        } finally {
            if (before == null) System.clearProperty(CompactTokenizerFile.CACHE_PROPERTY);
            else System.setProperty(CompactTokenizerFile.CACHE_PROPERTY, before);
        }
    }
}
