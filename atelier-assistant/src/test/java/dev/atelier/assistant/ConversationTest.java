package dev.atelier.assistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.RetrievePlan;
import dev.atelier.llm.ChatMessage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversations saved as JSON with pictures by content hash beside them, reopened to continue. */
class ConversationTest {

    static byte[] png(int rgb) throws Exception {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) image.setRGB(x, y, rgb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void aSavedConversationReopensWithItsTurnsPlansOutcomesAndPictures(@TempDir Path dir) throws Exception {
        Conversation c = Conversation.create(dir.resolve("talk.json"));
        String red = c.store().put(png(0xff0000), "red.png");
        c.addPicture(red, ConversationPicture.Origin.ATTACHED, "a red square", null, null, null);
        c.addTurn(new Turn("make it blue", List.of(1), null, List.of(), Turn.Status.PLANNED, null));
        EditPlan edit = EditPlan.of("Paint the square blue.", new EditPlan.InstructionEdit()).withPicture(1);
        String blue = c.store().put(png(0x0000ff), "turn-1.png");
        c.addPictureOfTurn(blue, ConversationPicture.Origin.EDITED, "Paint the square blue.", "/out/turn-1.png", 5L, 31.5, 1);
        RetrievalDecision decision = new RetrievalDecision(RetrievalDecision.Choice.RETRIEVED, false, 0.25, 0.4, "/lib/a.png", "a");
        c.updateLastTurn(c.turns().getLast().rendered(edit, new TurnOutcome(List.of(2), null, decision, List.of("a note"))));
        c.addTurn(new Turn("find a lighthouse", List.of(), new RetrievePlan("lighthouse"), List.of("w"), Turn.Status.PLANNED, null));
        c.updateLastTurn(c.turns().getLast().skipped());
        c.save();

        Conversation again = Conversation.open(dir.resolve("talk.json"));

        assertThat(again.turns()).isEqualTo(c.turns());
        assertThat(again.pictures()).isEqualTo(c.pictures());
        assertThat(again.picture(2).seed()).isEqualTo(5L);
        assertThat(again.store().bytes(red)).isEqualTo(png(0xff0000));
        assertThat(Files.list(dir.resolve("talk.pictures")).map(p -> p.getFileName().toString()).toList())
                .containsExactlyInAnyOrder(red + ".png", blue + ".png");
        assertThat(Files.readString(dir.resolve("talk.json"))).contains("\"type\" : \"edit\"", "\"picture\" : 1", "\"hash\" : \"" + red + "\"");
        List<ChatMessage> history = again.history();
        assertThat(history).extracting(ChatMessage::text).containsExactly(
                "make it blue [attached picture 1]", "Edited picture 1 (Paint the square blue.) → picture 2",
                "find a lighthouse", "(The plan was skipped.)");
        assertThat(again.planningPictures()).extracting(p -> p.caption()).containsExactly("a red square", "Paint the square blue.");
    }

    @Test
    void theSamePictureIsStoredOnceUnderItsContentHash(@TempDir Path dir) throws Exception {
        PictureStore store = new PictureStore(dir.resolve("p"));
        String a = store.put(png(0x00ff00), "a.png");
        String b = store.put(png(0x00ff00), "b.png");

        assertThat(a).isEqualTo(b).hasSize(64);
        assertThat(Files.list(dir.resolve("p")).count()).isEqualTo(1);
    }

    @Test
    void aPictureThatCannotBeDecodedIsRefusedAndNothingIsStored(@TempDir Path dir) {
        PictureStore store = new PictureStore(dir.resolve("p"));

        assertThatThrownBy(() -> store.put("not a picture".getBytes(), "notes.txt")).isInstanceOf(AtelierException.class)
                .hasMessageContaining("notes.txt");
        assertThat(Files.exists(dir.resolve("p"))).isFalse();
    }

    @Test
    void aFileThatIsNoConversationSaysSoInOneLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("x.json"), "{not json");

        assertThatThrownBy(() -> Conversation.open(dir.resolve("x.json"))).isInstanceOf(AtelierException.class)
                .hasMessageContaining("cannot be read").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> Conversation.open(dir.resolve("missing.json"))).isInstanceOf(AtelierException.class)
                .hasMessageContaining("no conversation file");
    }

    @Test
    void plansOfEveryKindSurviveTheSave(@TempDir Path dir) {
        Conversation c = Conversation.create(dir.resolve("k.json"));
        c.addTurn(new Turn("a", List.of(), GeneratePlan.of("a red fox").withPicture(1), List.of(), Turn.Status.PLANNED, null));
        c.save();
        assertThat(Conversation.open(dir.resolve("k.json")).turns().getFirst().plan()).isEqualTo(GeneratePlan.of("a red fox").withPicture(1));
    }
}
