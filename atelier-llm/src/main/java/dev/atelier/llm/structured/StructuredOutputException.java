package dev.atelier.llm.structured;

import dev.atelier.core.AtelierException;
import java.util.List;

/** The model gave no answer that could be made valid for the schema; carries its last raw answer. */
public class StructuredOutputException extends AtelierException {
    private final String rawText;
    private final List<String> errors;
    private final int attempts;
    private final boolean truncated;

    public StructuredOutputException(String message, String rawText, List<String> errors, int attempts, boolean truncated) {
        super(message);
        this.rawText = rawText;
        this.errors = List.copyOf(errors);
        this.attempts = attempts;
        this.truncated = truncated;
    }

    /** The model's last answer, exactly as received. */
    public String rawText() { return rawText; }

    /** Why the last answer was not usable. */
    public List<String> errors() { return errors; }

    public int attempts() { return attempts; }

    /** The last answer was cut off by the token limit. */
    public boolean truncated() { return truncated; }
}
