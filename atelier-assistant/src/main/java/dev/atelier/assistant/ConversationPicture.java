package dev.atelier.assistant;

/**
 * One picture of a conversation, numbered from 1 in the order it appeared, so later turns can refer to it. The
 * picture itself lives in the conversation's {@link PictureStore} under its content hash.
 *
 * @param description what it shows: its prompt when made, its caption when attached or retrieved (may be null)
 * @param turn        the turn (from 1) that brought it
 * @param file        where the result was written for the person (null for attached pictures)
 * @param seed        the noise seed that made it, or null
 * @param clipScore   CLIP score against its prompt (100 · cosine), or null when no CLIP model was given
 */
public record ConversationPicture(int number, String hash, Origin origin, String description, int turn, String file,
                                  Long seed, Double clipScore) {

    /** How a picture came into the conversation. */
    public enum Origin { ATTACHED, GENERATED, EDITED, RETRIEVED }

    public ConversationPicture {
        if (number < 1) throw new IllegalArgumentException("picture numbers start at 1");
        if (hash == null || hash.isBlank()) throw new IllegalArgumentException("a picture needs its content hash");
        if (origin == null) throw new IllegalArgumentException("a picture needs its origin");
    }
}
