package dev.atelier.core;

/**
 * An error whose message is written for the user: it says what went wrong and what to do.
 * The CLI prints the message alone and exits with {@link #exitCode()}.
 */
public class AtelierException extends RuntimeException {
    private final int exitCode;

    public AtelierException(String message) { this(message, null); }

    public AtelierException(String message, Throwable cause) { this(message, cause, 1); }

    public AtelierException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
