package dev.atelier.assistant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.AnswerPlan;
import dev.atelier.core.plan.EditPlan;
import dev.atelier.core.plan.GeneratePlan;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.RetrievePlan;
import dev.atelier.core.plan.SimilarImagePlan;
import dev.atelier.llm.ChatMessage;
import dev.atelier.planner.PlanRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A conversation with the assistant: turns of text and pictures, the plan of each turn and what came of it, and
 * every picture numbered in order of appearance. Saved as JSON (pictures by content hash in a folder beside the
 * file) and reopened to continue. The CLI's {@code chat} and the server share this type.
 */
public final class Conversation {
    static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The saved form. */
    record Saved(int version, List<ConversationPicture> pictures, List<Turn> turns) {}

    private final Path file;
    private final PictureStore store;
    private final List<ConversationPicture> pictures = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();

    private Conversation(Path file) {
        this.file = file;
        this.store = new PictureStore(PictureStore.folderFor(file));
    }

    /** A new, empty conversation that will be saved to {@code file}. */
    public static Conversation create(Path file) { return new Conversation(file.toAbsolutePath().normalize()); }

    /** Reopens a saved conversation to continue it. */
    public static Conversation open(Path file) {
        Conversation c = new Conversation(file.toAbsolutePath().normalize());
        Saved saved;
        try {
            saved = JSON.readValue(Files.readString(file), Saved.class);
        } catch (NoSuchFileException e) {
            throw new AtelierException("There is no conversation file " + file + "; give the .json file a chat saved.");
        } catch (JsonProcessingException e) {
            throw new AtelierException("The conversation file " + file + " cannot be read (" + e.getOriginalMessage()
                    + "); give a .json file that atelier chat saved.", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (saved.version() > FORMAT_VERSION) {
            throw new AtelierException("The conversation file " + file + " is of a newer format (" + saved.version() + "); update Atelier to open it.");
        }
        if (saved.pictures() != null) c.pictures.addAll(saved.pictures());
        if (saved.turns() != null) c.turns.addAll(saved.turns());
        for (int i = 0; i < c.pictures.size(); i++) {
            if (c.pictures.get(i).number() != i + 1) {
                throw new AtelierException("The conversation file " + file + " numbers its pictures out of order; it was edited by hand or damaged.");
            }
        }
        return c;
    }

    /** Writes the conversation (atomically: a crash leaves the previous save). */
    public void save() {
        try {
            Files.createDirectories(file.getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, JSON.writeValueAsString(new Saved(FORMAT_VERSION, pictures, turns)));
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the conversation to " + file, e);
        }
    }

    public Path file() { return file; }

    public PictureStore store() { return store; }

    public List<ConversationPicture> pictures() { return List.copyOf(pictures); }

    public List<Turn> turns() { return List.copyOf(turns); }

    /** Picture {@code number} (from 1). */
    public ConversationPicture picture(int number) {
        if (number < 1 || number > pictures.size()) {
            throw new AtelierException("There is no picture " + number + " in this conversation; it has " + pictures.size() + ".");
        }
        return pictures.get(number - 1);
    }

    /** Adds a picture stored under {@code hash}; returns it with its number. */
    public ConversationPicture addPicture(String hash, ConversationPicture.Origin origin, String description, String file,
                                          Long seed, Double clipScore) {
        ConversationPicture p = new ConversationPicture(pictures.size() + 1, hash, origin, description, turns.size() + 1,
                file, seed, clipScore);
        pictures.add(p);
        return p;
    }

    /** Adds a picture made by turn {@code turn} (from 1). */
    public ConversationPicture addPictureOfTurn(String hash, ConversationPicture.Origin origin, String description, String file,
                                                Long seed, Double clipScore, int turn) {
        ConversationPicture p = new ConversationPicture(pictures.size() + 1, hash, origin, description, turn, file, seed, clipScore);
        pictures.add(p);
        return p;
    }

    /** Starts a turn; the pictures attached to it must have been added already. */
    public void addTurn(Turn turn) { turns.add(turn); }

    /** Replaces the latest turn (when its plan is rendered or skipped). */
    public void updateLastTurn(Turn turn) {
        if (turns.isEmpty()) throw new IllegalStateException("no turn to update");
        turns.set(turns.size() - 1, turn);
    }

    /** Number of the turn being planned now (from 1). */
    public int nextTurnNumber() { return turns.size() + 1; }

    /** The pictures as the planner sees them: numbered in order, each with what it shows. */
    public List<PlanRequest.ImageInput> planningPictures() {
        return pictures.stream().map(p -> new PlanRequest.ImageInput(store.bytes(p.hash()), store.mimeType(p.hash()),
                p.description())).toList();
    }

    /** Earlier turns as chat messages for the planner: what the person said, and in short what was done. */
    public List<ChatMessage> history() {
        List<ChatMessage> messages = new ArrayList<>();
        for (Turn t : turns) {
            if (t.status() == Turn.Status.PLANNED) continue;
            String said = t.text();
            if (!t.attached().isEmpty()) said += " [attached picture " + join(t.attached()) + "]";
            messages.add(ChatMessage.user(said));
            messages.add(ChatMessage.assistant(summary(t)));
        }
        return messages;
    }

    private static String summary(Turn t) {
        if (t.status() == Turn.Status.SKIPPED || t.plan() == null) return "(The plan was skipped.)";
        String made = t.outcome() == null || t.outcome().pictures().isEmpty() ? "" : " → picture " + join(t.outcome().pictures());
        return switch (t.plan()) {
            case GeneratePlan g -> "Generated: " + g.prompt() + made;
            case EditPlan e -> "Edited picture " + (e.picture() == null ? "" : e.picture() + " ") + "(" + e.instruction() + ")" + made;
            case SimilarImagePlan s -> "Made a picture like " + (s.picture() == null ? "the given one" : "picture " + s.picture()) + ": " + s.prompt() + made;
            case AnswerPlan a -> a.text();
            case RetrievePlan r -> (t.outcome() != null && t.outcome().retrieval() != null
                    && t.outcome().retrieval().choice() == RetrievalDecision.Choice.RETRIEVED ? "Found" : "Generated") + ": " + r.query() + made;
        };
    }

    private static String join(List<Integer> numbers) {
        return String.join(", ", numbers.stream().map(String::valueOf).toList());
    }

    /** Short listing of the pictures, one line each, for the person. */
    public List<String> listing() {
        return pictures.stream().map(p -> String.format(Locale.ROOT, "%d. %s%s%s", p.number(),
                p.origin().name().toLowerCase(Locale.ROOT),
                p.description() == null ? "" : ": " + p.description(),
                p.file() == null ? "" : " (" + p.file() + ")")).toList();
    }
}
