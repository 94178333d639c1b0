package dev.atelier.llm;

import dev.atelier.core.AtelierException;

/** A chat backend failed: the server refused, was unreachable, or the engine could not run the request. */
public class ChatModelException extends AtelierException {
    private final int httpStatus;

    public ChatModelException(String message) { this(message, null, 0); }

    public ChatModelException(String message, Throwable cause) { this(message, cause, 0); }

    public ChatModelException(String message, Throwable cause, int httpStatus) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    /** The HTTP status behind the failure, or 0 when there was none. */
    public int httpStatus() { return httpStatus; }
}
