package dev.atelier.assistant;

import java.util.List;

/**
 * What rendering a turn's plan gave.
 *
 * @param pictures  numbers of the conversation pictures it made or retrieved
 * @param answer    the answer in words, or null
 * @param retrieval the retrieve-or-generate decision of a retrieve plan, or null
 * @param notes     one line each: fallbacks and other things the person should know
 */
public record TurnOutcome(List<Integer> pictures, String answer, RetrievalDecision retrieval, List<String> notes) {
    public TurnOutcome {
        pictures = pictures == null ? List.of() : List.copyOf(pictures);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }
}
