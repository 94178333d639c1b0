package dev.atelier.library;

import java.nio.file.Path;

/** Follows an {@code add}: the number of pictures found, then each one as it is settled. */
public interface AddListener {

    AddListener NONE = new AddListener() { };

    default void started(int pictures) { }

    /** Called once per picture found, after its entry is written (and committed when a batch is full). */
    default void settled(Path picture, Outcome outcome) { }

    /** A picture skipped: {@code reason} is one line naming it. Followed by {@link #settled} with FAILED. */
    default void failed(Path picture, String reason) { }

    enum Outcome { ADDED, CHANGED, MOVED, UNCHANGED, FAILED }
}
