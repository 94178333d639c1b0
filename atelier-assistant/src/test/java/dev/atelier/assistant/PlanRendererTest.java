package dev.atelier.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.image.Images;
import dev.atelier.core.image.PngFiles;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.core.plan.RetrievePlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.library.LibraryMatch;
import dev.atelier.testkit.diffusion.ToyPipeline;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retrieve plans (GILL) and CLIP scores on the toy pipeline, a fixed library and the analytic colour CLIP. */
class PlanRendererTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path greenPicture;

    private static final PlanRenderer.Overrides FAST = new PlanRenderer.Overrides(null, 6, SchedulerKind.DDIM, 1.0, 5L, null, null, null, null);

    @BeforeAll
    static void write() throws Exception {
        model = ToyPipeline.write(tmp.resolve("toy-sd15"), ToyPipeline.Spec.sd15());
        BufferedImage green = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) for (int x = 0; x < 40; x++) green.setRGB(x, y, 0x33aa44);
        greenPicture = tmp.resolve("library/green-field.png");
        java.nio.file.Files.createDirectories(greenPicture.getParent());
        ImageIO.write(green, "png", greenPicture.toFile());
    }

    private static PlanRenderer renderer(FixedLibrary library, RetrievalPolicy policy) {
        return new PlanRenderer(new PlanRenderer.Models(model, null, null), FAST, library, new ColourClip(), policy, null);
    }

    private static FixedLibrary libraryScoring(double score) {
        return new FixedLibrary(List.of(new LibraryMatch(greenPicture, score, "a green field", "h1")));
    }

    static void assertColour(BufferedImage image, String colour) {
        float[] c = ToyPipeline.COLOURS.get(colour);
        int p = image.getRGB(image.getWidth() / 2, image.getHeight() / 2);
        for (int i = 0; i < 3; i++) {
            assertThat((p >> (16 - 8 * i)) & 0xff).as("channel %d", i).isCloseTo(Math.round((c[i] + 1) * 127.5f), Offset.offset(1));
        }
    }

    @Test
    void aMatchAboveTheThresholdIsReturnedAndTheDecisionIsStored(@TempDir Path dir) throws Exception {
        FixedLibrary library = libraryScoring(0.31);
        Path out = dir.resolve("found.png");
        PlanRenderer.Result result;
        try (PlanRenderer r = renderer(library, new RetrievalPolicy(0.30, RetrievalPolicy.Force.AUTO))) {
            result = r.render(new RetrievePlan("a blue sky"), null, out, null);
        }

        assertThat(library.queries).containsExactly("a blue sky");
        assertThat(result.retrieval().choice()).isEqualTo(RetrievalDecision.Choice.RETRIEVED);
        assertThat(result.retrieval().score()).isEqualTo(0.31);
        assertThat(result.retrieval().candidate()).isEqualTo(greenPicture.toString());
        assertThat(result.pictures()).singleElement().satisfies(p -> {
            assertThat(p.origin()).isEqualTo(ConversationPicture.Origin.RETRIEVED);
            assertThat(p.retrievedFrom()).isEqualTo(greenPicture.toString());
            assertThat(p.seed()).isNull();
        });
        BufferedImage written = Images.read(out);
        assertThat(written.getWidth()).isEqualTo(40);
        assertThat(written.getRGB(3, 3) & 0xffffff).as("the library's picture, not a generated one").isEqualTo(0x33aa44);
        Map<String, String> text = PngFiles.readText(out);
        assertThat(PlanJson.read(text.get(PlanRenderer.PLAN_KEY))).isEqualTo(new RetrievePlan("a blue sky"));
        assertThat(new ObjectMapper().readValue(text.get(PlanRenderer.RETRIEVAL_KEY), RetrievalDecision.class)).isEqualTo(result.retrieval());
    }

    @Test
    void aMatchBelowTheThresholdIsGeneratedInsteadAndSaysWhy(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("made.png");
        PlanRenderer.Result result;
        try (PlanRenderer r = renderer(libraryScoring(0.29), new RetrievalPolicy(0.30, RetrievalPolicy.Force.AUTO))) {
            result = r.render(new RetrievePlan("a blue sky"), null, out, null);
        }

        assertThat(result.retrieval().choice()).isEqualTo(RetrievalDecision.Choice.GENERATED);
        assertThat(result.retrieval().score()).isEqualTo(0.29);
        assertThat(result.notes()).anySatisfy(n -> assertThat(n).contains("0.290", "below 0.30", "generated"));
        assertColour(Images.read(out), "blue");
        assertThat(result.pictures().getFirst().origin()).isEqualTo(ConversationPicture.Origin.GENERATED);
        assertThat(result.pictures().getFirst().seed()).isEqualTo(5L);
        assertThat(PngFiles.readText(out)).containsKeys(PlanRenderer.RETRIEVAL_KEY, "parameters");
    }

    @Test
    void thePersonCanForceEitherWhateverTheScore(@TempDir Path dir) throws Exception {
        try (PlanRenderer r = renderer(libraryScoring(0.05), RetrievalPolicy.DEFAULTS.withForce(RetrievalPolicy.Force.RETRIEVE))) {
            PlanRenderer.Result forced = r.render(new RetrievePlan("a blue sky"), null, dir.resolve("a.png"), null);
            assertThat(forced.retrieval().choice()).isEqualTo(RetrievalDecision.Choice.RETRIEVED);
            assertThat(forced.retrieval().forced()).isTrue();
        }
        try (PlanRenderer r = renderer(libraryScoring(0.99), RetrievalPolicy.DEFAULTS.withForce(RetrievalPolicy.Force.GENERATE))) {
            PlanRenderer.Result forced = r.render(new RetrievePlan("a blue sky"), null, dir.resolve("b.png"), null);
            assertThat(forced.retrieval().choice()).isEqualTo(RetrievalDecision.Choice.GENERATED);
            assertColour(Images.read(dir.resolve("b.png")), "blue");
        }
    }

    @Test
    void withoutALibraryARetrievePlanGenerates(@TempDir Path dir) throws Exception {
        try (PlanRenderer r = renderer(null, RetrievalPolicy.DEFAULTS)) {
            PlanRenderer.Result result = r.render(new RetrievePlan("a red sky"), null, dir.resolve("c.png"), null);
            assertThat(result.retrieval().choice()).isEqualTo(RetrievalDecision.Choice.GENERATED);
            assertThat(result.notes()).anySatisfy(n -> assertThat(n).contains("no picture library"));
            assertColour(Images.read(dir.resolve("c.png")), "red");
        }
    }

    @Test
    void eachPictureCarriesItsClipScoreAgainstItsPrompt(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("red.png");
        PlanRenderer.Result result;
        try (PlanRenderer r = renderer(null, null)) {
            result = r.render(GeneratePlan.of("a red house").withSettings(64, 64, 6, 1.0, 5L), null, out, null);
        }

        BufferedImage image = Images.read(out);
        assertColour(image, "red");
        double expected = 100 * Math.max(0, dot(new ColourClip().embedImage(image), new ColourClip().embedText("a red house")));
        assertThat(result.pictures().getFirst().clipScore()).isCloseTo(expected, Offset.offset(1e-4)).isGreaterThan(99);
        assertThat(Double.parseDouble(PngFiles.readText(out).get(PlanRenderer.CLIP_SCORE_KEY))).isCloseTo(expected, Offset.offset(0.01));
        double mismatched = 100 * Math.max(0, dot(new ColourClip().embedImage(image), new ColourClip().embedText("a blue house")));
        assertThat(mismatched).as("the score tells prompts apart").isLessThan(50);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
