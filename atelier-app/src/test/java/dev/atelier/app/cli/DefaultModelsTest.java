package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import dev.atelier.testkit.gguf.TinyLlamaGguf;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's path: commands with nothing but a request use the configured (else built-in) models from the hub
 * cache and name their own output file; missing models are named in one line with their size and how to get them.
 */
class DefaultModelsTest {
    @TempDir
    Path dir;
    TemporaryHome home;

    @BeforeEach
    void ownHome() { home = new TemporaryHome(dir); }

    @AfterEach
    void realHome() { home.close(); }

    private static AtelierCommandTest.Run atelier(String... args) {
        return AtelierCommandTest.run(AtelierCommand.newCommandLine(), args);
    }

    private List<Path> pngsInWorkingFolder() throws Exception {
        try (Stream<Path> files = Files.list(home.workingFolder)) {
            return files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
    }

    @Test
    void createWithNothingButARequestPlansWithTheDefaultLanguageModelRendersWithTheDefaultModelAndNamesItsFile() throws Exception {
        home.registerPreset("sd-turbo", ToyPipeline.write(dir.resolve("toy-turbo"), Spec.sd2()));
        TinyLlamaGguf d = TinyLlamaGguf.defaults();
        // One token per character in the tiny vocabulary: the planning prompt needs a long window.
        Path gguf = new TinyLlamaGguf(d.layers(), d.embedding(), d.heads(), d.kvHeads(), d.feedForward(), 16384,
                d.weightScale(), 3).writeTo(dir.resolve("tiny.gguf"));
        home.registerPreset("qwen2.5-1.5b-instruct", gguf);
        // The default planner, with the longer window this tiny model needs (a real one fits the default window).
        atelier("config", "set", "llm", "gguf:qwen2.5-1.5b-instruct?ctx=16384&threads=2");

        var r = atelier("create", "--kind", "generate", "--plan-seed", "1", "--seed", "7", "a red house by the sea");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(pngsInWorkingFolder()).extracting(p -> p.getFileName().toString())
                .containsExactly("a-red-house-by-the-sea-7.png");
        Path out = home.workingFolder.resolve("a-red-house-by-the-sea-7.png");
        assertThat(PngFiles.readText(out)).containsKey(CreateCommand.PLAN_KEY);
        assertThat(r.out()).contains("wrote " + out);
    }

    @Test
    void withNothingDownloadedOneLineNamesEveryMissingModelWithItsSizeAndTheWayToGetIt() {
        var r = atelier("create", "a red house");

        assertThat(r.exitCode()).isEqualTo(1);
        String line = r.err().strip();
        assertThat(line).doesNotContain("\n").doesNotContain("Exception")
                .contains("sd-turbo (about 2.6 GB)", "qwen2.5-1.5b-instruct (about 986 MB)", "--yes",
                        "atelier models pull sd-turbo", "atelier models pull qwen2.5-1.5b-instruct");
    }

    @Test
    void theConfiguredModelServesGenerateAndTheOutputIsNamedAfterThePrompt() throws Exception {
        Path toy = ToyPipeline.write(dir.resolve("toy-sd15"), Spec.sd15());
        var set = atelier("config", "set", "model", toy.toString());
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(Files.readString(home.settingsFile)).contains("model=");

        var first = atelier("generate", "--prompt", "red", "--steps", "4", "--scheduler", "ddim", "--guidance", "1", "--seed", "3");
        var second = atelier("generate", "--prompt", "red", "--steps", "4", "--scheduler", "ddim", "--guidance", "1", "--seed", "3");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(second.exitCode()).as(second.err()).isZero();
        // The second run overwrites nothing: it takes the next free name.
        assertThat(pngsInWorkingFolder()).extracting(p -> p.getFileName().toString()).containsExactly("red-3-2.png", "red-3.png");
        BufferedImage image = Images.read(home.workingFolder.resolve("red-3.png"));
        float[] red = ToyPipeline.COLOURS.get("red");
        int p = image.getRGB(image.getWidth() / 2, image.getHeight() / 2);
        assertThat((p >> 16) & 0xff).isCloseTo(Math.round((red[0] + 1) * 127.5f), Offset.offset(1));
    }

    @Test
    void configListsGetsSetsAndUnsetsTheDefaults() {
        var list = atelier("config");
        assertThat(list.out()).contains("model", "sd-turbo", "edit-model", "instruct-pix2pix", "inpaint-model",
                "sd-inpainting", "llm", "gguf:qwen2.5-1.5b-instruct", "built-in default");

        assertThat(atelier("config", "set", "edit-model", "my/ip2p").exitCode()).isZero();
        assertThat(atelier("config", "get", "edit-model").out().strip()).isEqualTo("my/ip2p");
        assertThat(atelier("config").out()).contains("set in " + home.settingsFile);
        assertThat(atelier("config", "unset", "edit-model").exitCode()).isZero();
        assertThat(atelier("config", "get", "edit-model").out().strip()).isEqualTo("instruct-pix2pix");
        assertThat(atelier("config", "path").out().strip()).isEqualTo(home.settingsFile.toString());

        var unknown = atelier("config", "set", "colour", "red");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("Unknown setting 'colour'", "model, edit-model, inpaint-model, llm");
    }

    @Test
    void theEditCommandsTakeTheDefaultOfTheirKind() throws Exception {
        Path picture = dir.resolve("p.png");
        PngFiles.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), java.util.Map.of(), picture);

        var edit = atelier("edit", "--image", picture.toString(), "--instruction", "make it snow");
        var inpaint = atelier("inpaint", "--image", picture.toString(), "--mask", picture.toString(), "--prompt", "x");
        var outpaint = atelier("outpaint", "--image", picture.toString(), "--right", "8", "--prompt", "x");
        var noImage = atelier("inpaint", "--mask", picture.toString(), "--prompt", "x");

        assertThat(edit.err()).contains("instruct-pix2pix (about", "atelier models pull instruct-pix2pix");
        assertThat(inpaint.err()).contains("sd-inpainting (about", "atelier models pull sd-inpainting");
        assertThat(outpaint.err()).contains("sd-inpainting (about");
        assertThat(noImage.err()).contains("missing --image FILE: the picture to change");
    }
}
