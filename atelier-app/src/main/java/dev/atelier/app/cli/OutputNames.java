package dev.atelier.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;

/** File names made from what was asked: "two cats on a sofa", seed 42 → {@code two-cats-on-a-sofa-42.png}. */
final class OutputNames {
    /** Long enough to recognise the request in a listing, short enough for any file system. */
    static final int MAX_SLUG = 48;

    private OutputNames() {}

    /** A name in {@code dir} that no file has yet: the slug and seed, then -2, -3… when taken. */
    static Path fresh(Path dir, String request, long seed) {
        String base = slug(request) + "-" + seed;
        Path candidate = dir.resolve(base + ".png");
        for (int i = 2; Files.exists(candidate); i++) candidate = dir.resolve(base + "-" + i + ".png");
        return candidate;
    }

    /** Lower-case ASCII words joined by dashes, cut at a word boundary; "image" when nothing is left. */
    static String slug(String text) {
        String ascii = Normalizer.normalize(text == null ? "" : text, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        StringBuilder slug = new StringBuilder();
        for (String word : ascii.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
            if (word.isEmpty()) continue;
            if (slug.length() + word.length() + 1 > MAX_SLUG) break;
            if (!slug.isEmpty()) slug.append('-');
            slug.append(word);
        }
        if (slug.isEmpty() && !ascii.isBlank()) {
            String first = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
            slug.append(first, 0, Math.min(first.length(), MAX_SLUG));
        }
        return slug.isEmpty() ? "image" : slug.toString();
    }
}
