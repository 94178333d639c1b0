package dev.atelier.assistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.library.LibraryMatch;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** GILL's decision by threshold: retrieve at or above it, generate below it; forcing overrules the threshold. */
class RetrievalPolicyTest {
    private static LibraryMatch match(double score) {
        return new LibraryMatch(Path.of("/pictures/lighthouse.png"), score, "a lighthouse", "abc");
    }

    @Test
    void theDecisionFollowsTheThreshold() {
        RetrievalPolicy policy = new RetrievalPolicy(0.30, RetrievalPolicy.Force.AUTO);

        assertThat(policy.decide(match(0.31)).choice()).isEqualTo(RetrievalDecision.Choice.RETRIEVED);
        assertThat(policy.decide(match(0.30)).choice()).as("at the threshold").isEqualTo(RetrievalDecision.Choice.RETRIEVED);
        assertThat(policy.decide(match(0.29)).choice()).isEqualTo(RetrievalDecision.Choice.GENERATED);
        assertThat(policy.decide(null).choice()).as("an empty library").isEqualTo(RetrievalDecision.Choice.GENERATED);
        assertThat(new RetrievalPolicy(0.20, RetrievalPolicy.Force.AUTO).decide(match(0.29)).choice())
                .as("a lower threshold retrieves the same match").isEqualTo(RetrievalDecision.Choice.RETRIEVED);
    }

    @Test
    void theDecisionRecordsTheScoreTheCandidateAndWhetherItWasForced() {
        RetrievalDecision d = RetrievalPolicy.DEFAULTS.decide(match(0.1));

        assertThat(d).isEqualTo(new RetrievalDecision(RetrievalDecision.Choice.GENERATED, false, RetrievalPolicy.DEFAULT_THRESHOLD,
                0.1, "/pictures/lighthouse.png", "a lighthouse"));
    }

    @Test
    void thePersonCanForceEither() {
        assertThat(RetrievalPolicy.DEFAULTS.withForce(RetrievalPolicy.Force.RETRIEVE).decide(match(0.01)))
                .satisfies(d -> {
                    assertThat(d.choice()).isEqualTo(RetrievalDecision.Choice.RETRIEVED);
                    assertThat(d.forced()).isTrue();
                });
        assertThat(RetrievalPolicy.DEFAULTS.withForce(RetrievalPolicy.Force.GENERATE).decide(match(0.99)).choice())
                .isEqualTo(RetrievalDecision.Choice.GENERATED);
        assertThat(RetrievalPolicy.DEFAULTS.withForce(RetrievalPolicy.Force.RETRIEVE).decide(null).choice())
                .as("nothing to retrieve").isEqualTo(RetrievalDecision.Choice.GENERATED);
    }

    @Test
    void aThresholdOutsideCosineRangeIsRefused() {
        assertThatThrownBy(() -> new RetrievalPolicy(1.5, null)).isInstanceOf(AtelierException.class)
                .hasMessageContaining("between -1 and 1");
    }
}
