package dev.atelier.library;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs a slow {@code add} in its own JVM so a test can kill it mid-way: prints "settled N" after each picture.
 * Arguments: INDEX FOLDER DELAY_MILLIS COMMIT_EVERY.
 */
public final class AddInChildProcess {
    private AddInChildProcess() {}

    public static void main(String[] args) {
        Path index = Path.of(args[0]);
        Path folder = Path.of(args[1]);
        long delay = Long.parseLong(args[2]);
        int commitEvery = Integer.parseInt(args[3]);
        try (LuceneLibrary library = LuceneLibrary.open(index, new ColourEmbedder("colour-toy", delay))
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
