package dev.atelier.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.app.cli.AtelierCommand;
import dev.atelier.core.image.Images;
import dev.atelier.testkit.diffusion.ToyPipeline;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar runs with plain {@code java -jar}, without the launcher, and renders what the CLI renders in process. */
class JavaJarIT {

    @Test
    void javaDashJarRendersTheSameImageAsTheCliInProcess(@TempDir Path dir) throws Exception {
        Path model = ToyPipeline.write(dir.resolve("toy-sd15"), ToyPipeline.Spec.sd15());
        Path jar = Path.of("target", "atelier.jar").toAbsolutePath();
        assertThat(jar).as("run after packaging (mvn verify)").isRegularFile();
        List<String> render = List.of("generate", "--model", model.toString(), "--prompt", "a blue house", "--steps", "4",
                "--scheduler", "euler-a", "--guidance", "3", "--seed", "11");

        Path fromJar = dir.resolve("jar.png");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        command.addAll(render);
        command.addAll(List.of("--out", fromJar.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).doesNotContain("WARNING").doesNotContain("Exception");

        Path inProcess = dir.resolve("cli.png");
        List<String> args = new ArrayList<>(render);
        args.addAll(List.of("--out", inProcess.toString()));
        assertThat(AtelierCommand.newCommandLine().execute(args.toArray(String[]::new))).isZero();

        BufferedImage a = Images.read(fromJar);
        BufferedImage b = Images.read(inProcess);
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) assertThat(a.getRGB(x, y)).isEqualTo(b.getRGB(x, y));
        }
        assertThat(Files.size(fromJar)).isPositive();
    }
}
