package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngFilesTest {

    @Test
    void textChunksSurviveARoundTripIncludingUnicode(@TempDir Path dir) throws Exception {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "a red fox\nNegative prompt: blurry\nSteps: 20, Sampler: DDIM, CFG scale: 7, Seed: 42");
        text.put("atelier", "{\"prompt\":\"café — 猫\"}");
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(2, 1, 0x123456);
        Path file = dir.resolve("out/fox.png");

        PngFiles.write(img, text, file);

        assertThat(PngFiles.readText(file)).isEqualTo(text);
        assertThat(Images.read(file).getRGB(2, 1) & 0xffffff).isEqualTo(0x123456);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // the permissions of any file the user makes (umask), not owner-only like a temporary file
            Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(plain));
        }
    }

    @Test
    void overwritingReplacesTheWholeFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a.png");
        PngFiles.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), Map.of("k", "first"), file);
        PngFiles.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), Map.of("k", "second"), file);
        assertThat(PngFiles.readText(file)).containsExactly(Map.entry("k", "second"));
        assertThat(Images.read(file).getWidth()).isEqualTo(2);
    }
}
