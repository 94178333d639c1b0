package dev.atelier.core.plan;

import dev.atelier.core.AtelierException;

/** A plan, layout or split ratio that cannot be rendered as written; the message says which part and how to fix it. */
public final class InvalidPlanException extends AtelierException {
    public InvalidPlanException(String message) { super(message); }
    public InvalidPlanException(String message, Throwable cause) { super(message, cause); }
}
