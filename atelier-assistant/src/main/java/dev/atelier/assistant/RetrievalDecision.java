package dev.atelier.assistant;

/**
 * GILL's decision for one retrieve plan: the best library match is returned when its similarity reaches the
 * threshold, otherwise a picture is generated; the person may force either.
 *
 * @param choice    what was done
 * @param forced    true when the person forced the choice rather than the threshold deciding
 * @param threshold the similarity (cosine) a match needed
 * @param score     the best match's similarity, or null when the library had no match
 * @param candidate the best match's path, or null
 * @param caption   the best match's caption, or null
 */
public record RetrievalDecision(Choice choice, boolean forced, double threshold, Double score, String candidate,
                                String caption) {

    public enum Choice { RETRIEVED, GENERATED }
}
