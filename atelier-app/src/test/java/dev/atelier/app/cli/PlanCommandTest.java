package dev.atelier.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.PlanJson;
import dev.atelier.core.plan.SplitRatio;
import dev.atelier.llm.ChatModel;
import dev.atelier.llm.ChatRequest;
import dev.atelier.llm.ChatResponse;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {

    /** Answers with given texts in order and remembers the requests. */
    static final class Scripted implements ChatModel {
        final Deque<String> answers;
        final List<ChatRequest> requests = new ArrayList<>();
        String openedWith;
        boolean closed;

        Scripted(String... answers) { this.answers = new ArrayDeque<>(List.of(answers)); }

        @Override
        public ChatResponse chat(ChatRequest request) {
            requests.add(request);
            if (answers.isEmpty()) throw new AssertionError("asked more than scripted");
            return ChatResponse.of(answers.poll());
        }

        @Override
        public String name() { return "scripted"; }

        @Override
        public void close() { closed = true; }
    }

    private Scripted use(Scripted model) {
        PlanCommand.Options.modelOpener = (spec, pull) -> {
            model.openedWith = spec;
            return model;
        };
        return model;
    }

    @AfterEach
    void restoreOpener() {
        PlanCommand.Options.modelOpener = PlanCommand::openLanguageModel;
    }

    @Test
    void printsTheRegionPlanAsJsonThatReadsBackAndClosesTheModel() {
        Scripted model = use(new Scripted(
                "{\"reason\": \"new picture\", \"kind\": \"generate\"}",
                "{\"reasoning\": \"r\", \"prompt\": \"two cats on a red sofa, one black, one white, soft light\", \"rows\": [{\"height\": 1, \"regions\": ["
                        + "{\"width\": 1, \"prompt\": \"a black cat on a red sofa\"}, {\"width\": 1, \"prompt\": \"a white cat on a red sofa\"}]}],"
                        + " \"basePrompt\": \"two cats\", \"baseRatio\": 0.3}"));

        var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "plan", "--llm", "gguf:/models/x.gguf", "two cats on a red sofa, one black, one white");

        assertThat(r.exitCode()).as(r.err()).isZero();
        Plan plan = PlanJson.read(r.out());
        assertThat(plan).isInstanceOfSatisfying(GeneratePlan.class, p -> {
            assertThat(p.layout().splitRatio()).isEqualTo(SplitRatio.parse("1,1"));
            assertThat(p.basePrompt()).isEqualTo("two cats");
        });
        assertThat(model.openedWith).isEqualTo("gguf:/models/x.gguf");
        assertThat(model.closed).isTrue();
    }

    @Test
    void notesAboutRepairsGoToStandardErrorAndTheRpgFormatCanBeChosen() {
        String mismatched = "Final split ratio: 1,1\nRegional Prompt: a fox BREAK a hare BREAK an owl";
        use(new Scripted(mismatched, mismatched));

        var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(),
                "plan", "--llm", "x", "--kind", "generate", "--format", "rpg", "--attempts", "2", "a", "fox", "and", "a", "hare");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).contains("note: no valid region plan came back", "2 regions but 3 region prompts");
        assertThat(((GeneratePlan) PlanJson.read(r.out())).layout()).isNull();
        assertThat(((GeneratePlan) PlanJson.read(r.out())).prompt()).isEqualTo("a fox and a hare");
    }

    @Test
    void aPictureIsShownToTheModelAsPng(@TempDir Path dir) throws Exception {
        Path photo = dir.resolve("lunch.png");
        ImageIO.write(new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB), "png", photo.toFile());
        Scripted model = use(new Scripted("A burger with fries.", "{\"reason\": \"edit\", \"kind\": \"edit\"}",
                "Replace the fries with a green salad."));

        var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "plan", "--llm", "x", "--image", photo.toString(), "make it more healthy");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(PlanJson.read(r.out())).isEqualTo(EditPlan.of("Replace the fries with a green salad.", new EditPlan.InstructionEdit()));
        assertThat(model.requests.getFirst().messages().getLast().hasImages()).isTrue();
    }

    @Test
    void aGivenCaptionReplacesLookingAtThePicture(@TempDir Path dir) throws Exception {
        Path photo = dir.resolve("lunch.png");
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", photo.toFile());
        Scripted model = use(new Scripted("{\"reason\": \"edit\", \"kind\": \"EDIT\"}", "Replace the fries with a green salad."));

        var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "plan", "--llm", "x", "--image", photo.toString(),
                "--caption", "a burger with fries", "make it more healthy");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(model.requests).hasSize(2);
        assertThat(model.requests.get(1).messages().getLast().text()).contains("The picture shows: a burger with fries");
        assertThat(model.requests.get(1).messages().getLast().hasImages()).isFalse();
    }

    @Test
    void badInputGivesOneClearLineAndExitCodeOne(@TempDir Path dir) throws Exception {
        use(new Scripted());
        Path notAnImage = Files.writeString(dir.resolve("notes.png"), "hello");
        Map<List<String>, String> cases = Map.of(
                List.of("plan", "--llm", "x"), "No request given",
                List.of("plan", "--llm", "x", "--kind", "paint", "a fox"), "Unknown plan kind \"paint\"",
                List.of("plan", "--llm", "x", "--format", "yaml", "a fox"), "Unknown region format",
                List.of("plan", "--llm", "x", "--image", notAnImage.toString(), "a fox"), "not an image",
                List.of("plan", "--llm", "x", "--mask", notAnImage.toString(), "a fox"), "--mask needs --image",
                List.of("plan", "--llm", "x", "--attempts", "0", "a fox"), "--attempts is 0",
                List.of("plan", "--llm", "x", "--caption", "a fox", "make it red"), "--caption describes a picture");
        cases.forEach((args, message) -> {
            var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err()).as(String.join(" ", args)).contains(message).doesNotContain("Exception");
            assertThat(r.out()).isEmpty();
        });
    }

    @Test
    void theSchemaOfPlanFilesIsPrintedWithoutAModel() throws Exception {
        var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "plan", "--schema");

        assertThat(r.exitCode()).isZero();
        var schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertThat(schema.get("oneOf")).hasSize(5);
        assertThat(dev.atelier.core.json.JsonSchemaValidator.validate(schema,
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(PlanJson.write(GeneratePlan.of("a fox"))))).isEmpty();
    }

    @Test
    void withoutAnyModelTheDefaultPlannerIsUsedAndNamedWhenItIsMissing(@TempDir Path dir) {
        try (TemporaryHome home = new TemporaryHome(dir)) {
            var r = AtelierCommandTest.run(AtelierCommand.newCommandLine(), "plan", "a fox");

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("qwen2.5-1.5b-instruct", "--yes", "atelier models pull qwen2.5-1.5b-instruct");
        }
    }
}
