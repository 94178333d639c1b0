package dev.atelier.library;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs a slow {@code add} in its own JVM so a test can kill it mid-way: prints "settled N" after each picture.
 * Arguments: INDEX FOLDER TOY_CLIP_DIR DELAY_MILLIS COMMIT_EVERY; the toy
 * CLIP on ONNX Runtime embeds, each picture slowed down by the delay.
 */
public final class AddInChildProcess {
    private AddInChildProcess() {}

    public static void main(String[] args) {
        Path index = Path.of(args[0]);
        Path folder = Path.of(args[1]);
        Path clip = Path.of(args[2]);
        long delay = Long.parseLong(args[3]);
        int commitEvery = Integer.parseInt(args[4]);
        try (LuceneLibrary library = LuceneLibrary.open(index, CountingEmbedder.toyClip(clip, null, delay))
                .commitEvery(commitEvery).commitInterval(Duration.ofHours(1))) {
            int[] count = {0};
            library.add(List.of(folder), new AddListener() {
                @Override public void settled(Path picture, Outcome outcome) {
                    System.out.println("settled " + ++count[0]);
                    System.out.flush();
                }
            });
            System.out.println("finished");
        }
    }
}
