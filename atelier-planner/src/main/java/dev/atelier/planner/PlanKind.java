package dev.atelier.planner;

/** What a request asks for; the router picks one. */
public enum PlanKind {
    /** A new picture from words. */
    GENERATE,
    /** Change the given picture as a whole by an instruction. */
    EDIT,
    /** Repaint one part of the given picture. */
    INPAINT,
    /** Extend the given picture beyond its borders. */
    OUTPAINT,
    /** A new picture like the given one. */
    SIMILAR,
    /** Words only: a question or advice. */
    ANSWER,
    /** Find an existing picture. */
    RETRIEVE;

    public boolean needsImage() { return this == EDIT || this == INPAINT || this == OUTPAINT || this == SIMILAR; }
}
