package dev.atelier.planner;

import dev.atelier.core.AtelierException;

/** The language model gave no usable answer after the allowed retries; carries its last raw answer. */
public final class PlannerOutputException extends AtelierException {
    private final String rawAnswer;

    public PlannerOutputException(String message, String rawAnswer, Throwable cause) {
        super(message, cause);
        this.rawAnswer = rawAnswer == null ? "" : rawAnswer;
    }

    public String rawAnswer() { return rawAnswer; }
}
