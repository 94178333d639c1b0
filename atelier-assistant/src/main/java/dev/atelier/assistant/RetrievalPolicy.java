package dev.atelier.assistant;

import dev.atelier.core.AtelierException;
import dev.atelier.library.LibraryMatch;

/**
 * When a retrieve plan returns a library picture and when it generates one (GILL's decision, made here by a
 * threshold on CLIP similarity instead of a learned classifier).
 *
 * @param threshold the cosine similarity between the query's text embedding and a picture's image embedding at or
 *                  above which the picture is returned
 * @param force     AUTO lets the threshold decide; RETRIEVE returns the best match whatever its score (and generates
 *                  only when the library is empty); GENERATE always generates
 */
public record RetrievalPolicy(double threshold, Force force) {

    /**
     * The default threshold. CLIP ViT-B/32 and ViT-L/14 give a caption and its own photo a cosine of about 0.30–0.35,
     * while an unrelated text–picture pair sits near 0.10–0.20; 0.25 lies between, so a library picture is returned
     * only when it plausibly shows what was asked, and a vague match is generated instead (the safer failure).
     */
    public static final double DEFAULT_THRESHOLD = 0.25;

    public static final RetrievalPolicy DEFAULTS = new RetrievalPolicy(DEFAULT_THRESHOLD, Force.AUTO);

    public enum Force { AUTO, RETRIEVE, GENERATE }

    public RetrievalPolicy {
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new AtelierException("The retrieval threshold is " + threshold + "; give a cosine similarity between -1 and 1, for example " + DEFAULT_THRESHOLD + ".");
        }
        if (force == null) force = Force.AUTO;
    }

    public RetrievalPolicy withForce(Force f) { return new RetrievalPolicy(threshold, f); }

    /** The decision for the library's best match ({@code null} when the library found nothing). */
    public RetrievalDecision decide(LibraryMatch best) {
        RetrievalDecision.Choice choice = switch (force) {
            case GENERATE -> RetrievalDecision.Choice.GENERATED;
            case RETRIEVE -> best == null ? RetrievalDecision.Choice.GENERATED : RetrievalDecision.Choice.RETRIEVED;
            case AUTO -> best != null && best.score() >= threshold ? RetrievalDecision.Choice.RETRIEVED : RetrievalDecision.Choice.GENERATED;
        };
        return new RetrievalDecision(choice, force != Force.AUTO, threshold,
                best == null ? null : best.score(), best == null ? null : best.path().toString(), best == null ? null : best.caption());
    }
}
