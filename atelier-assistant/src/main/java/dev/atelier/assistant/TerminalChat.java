package dev.atelier.assistant;

import dev.atelier.core.AtelierException;
import dev.atelier.core.plan.Plan;
import dev.atelier.core.plan.PlanJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The conversation in a terminal: each line is a request or a command ({@code /image FILE} attaches a picture to
 * the next request, {@code /pictures} lists the conversation's pictures, {@code /quit} ends). Each plan is printed
 * and waits for a choice: render it, edit it (type the changed plan as JSON) or skip it.
 */
public final class TerminalChat {
    private final Assistant assistant;
    private final BufferedReader in;
    private final PrintWriter out;
    private final PrintWriter err;

    public TerminalChat(Assistant assistant, BufferedReader in, PrintWriter out, PrintWriter err) {
        this.assistant = assistant;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** Runs until {@code /quit} or the end of input; the conversation is saved throughout. */
    public void run() {
        out.println("Conversation: " + assistant.conversation().file() + " (" + assistant.conversation().pictures().size()
                + " pictures, " + assistant.conversation().turns().size() + " turns so far)");
        out.println("Say what you want. /image FILE attaches a picture, /pictures lists them, /quit ends.");
        while (true) {
            String line = prompt("> ");
            if (line == null) break;
            line = line.strip();
            if (line.isEmpty()) continue;
            if (line.equals("/quit") || line.equals("/exit")) break;
            try {
                if (line.startsWith("/image")) {
                    attach(line.substring("/image".length()).strip());
                } else if (line.equals("/pictures")) {
                    assistant.conversation().listing().forEach(out::println);
                    if (assistant.conversation().pictures().isEmpty()) out.println("(no pictures yet)");
                } else if (line.startsWith("/")) {
                    err.println("error: unknown command " + line.split("\\s+")[0] + "; use /image FILE, /pictures or /quit");
                } else {
                    turn(line);
                }
            } catch (AtelierException e) {
                err.println("error: " + e.getMessage());
            } catch (RuntimeException e) {
                // the conversation is saved after every step, so one failed turn must not end it
                err.println("error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
            out.flush();
            err.flush();
        }
        assistant.skip();
        out.println("Saved " + assistant.conversation().file() + "; continue with --resume " + assistant.conversation().file());
        out.flush();
    }

    private void attach(String path) {
        if (path.isEmpty()) throw new AtelierException("/image needs a file: /image photo.png");
        ConversationPicture p = assistant.attach(Path.of(path));
        out.println("attached picture " + p.number() + (p.description() == null ? "" : ": " + p.description()));
    }

    private void turn(String text) {
        Assistant.PendingTurn pending = assistant.plan(text);
        for (String w : pending.warnings()) err.println("note: " + w);
        Plan plan = pending.plan();
        out.println(PlanJson.write(plan));
        while (true) {
            String choice = prompt("Render, edit or skip? [R/e/s] ");
            if (choice == null) {
                assistant.skip();
                return;
            }
            switch (choice.strip().toLowerCase(Locale.ROOT)) {
                case "", "r", "render", "y", "yes" -> {
                    report(assistant.render(plan));
                    return;
                }
                case "s", "skip", "n", "no" -> {
                    assistant.skip();
                    out.println("skipped");
                    return;
                }
                case "e", "edit" -> {
                    Plan changed = edited();
                    if (changed != null) {
                        plan = changed;
                        out.println(PlanJson.write(plan));
                    }
                }
                default -> out.println("Type r to render, e to edit the plan, s to skip.");
            }
        }
    }

    /** The changed plan typed as one line of JSON; null keeps the plan. */
    private Plan edited() {
        while (true) {
            String json = prompt("Changed plan as one line of JSON (empty keeps it): ");
            if (json == null || json.isBlank()) return null;
            try {
                return PlanJson.read(json);
            } catch (AtelierException e) {
                err.println("error: " + e.getMessage());
                err.flush();
            }
        }
    }

    private void report(Assistant.Rendered rendered) {
        TurnOutcome outcome = rendered.outcome();
        for (String note : outcome.notes()) err.println("note: " + note);
        if (outcome.answer() != null) out.println(outcome.answer());
        RetrievalDecision r = outcome.retrieval();
        if (r != null) {
            out.println(r.choice() == RetrievalDecision.Choice.RETRIEVED
                    ? String.format(Locale.ROOT, "retrieved %s (similarity %.3f%s)", r.candidate(), r.score(), r.forced() ? ", forced" : "")
                    : r.score() == null ? "generated (no library match)"
                    : String.format(Locale.ROOT, "generated (best library match %.3f%s)", r.score(),
                            r.forced() ? ", forced" : " below " + r.threshold()));
        }
        for (int i = 0; i < rendered.pictures().size(); i++) {
            ConversationPicture p = rendered.pictures().get(i);
            PlanRenderer.Rendered made = rendered.result().pictures().get(i);
            out.println(String.format(Locale.ROOT, "picture %d: wrote %s%s%s in %.1f s", p.number(), p.file(),
                    p.seed() == null ? "" : " (seed " + p.seed() + ")",
                    p.clipScore() == null ? "" : String.format(Locale.ROOT, ", CLIP score %.1f", p.clipScore()), made.seconds()));
        }
    }

    private String prompt(String text) {
        out.print(text);
        out.flush();
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
