package dev.atelier.planner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonSchemas;
import dev.atelier.core.plan.RegionLayout;
import dev.atelier.llm.structured.JsonRepair;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The few-shot examples agree with themselves (RPG's published ones contradict their captions). */
class RegionExamplesTest {
    private static final Set<String> COLOURS = Set.of("red", "blue", "black", "white", "green", "yellow", "orange");

    @Test
    void everyExampleHasOnePromptPerRegionAndAtLeastTwoRegions() {
        List<RegionExamples.Example> examples = RegionExamples.all();

        assertThat(examples).hasSizeGreaterThanOrEqualTo(3);
        assertThat(examples).allSatisfy(e -> {
            assertThat(e.layout().regionCount()).isEqualTo(e.layout().prompts().size()).isGreaterThan(1);
            assertThat(e.caption()).isNotBlank();
            assertThat(e.thinking()).isNotBlank();
        });
    }

    @Test
    void everyColourOfACaptionAppearsInTheRegionPrompts() {
        for (RegionExamples.Example e : RegionExamples.all()) {
            String prompts = String.join(" ", e.layout().prompts()).toLowerCase(Locale.ROOT);
            for (String word : e.caption().toLowerCase(Locale.ROOT).split("\\W+")) {
                if (COLOURS.contains(word)) assertThat(prompts).as("%s in %s", word, e.caption()).contains(word);
            }
        }
    }

    @Test
    void leftAndRightInACaptionMatchTheOrderOfTheRegions() {
        RegionExamples.Example cats = RegionExamples.all().getFirst();
        List<RegionLayout.PlacedRegion> placed = cats.layout().placedRegions();

        assertThat(cats.caption()).contains("black one on the left", "white one on the right");
        assertThat(placed.get(0).prompt()).contains("black cat").contains("left");
        assertThat(placed.get(1).prompt()).contains("white cat").contains("right");
        assertThat(placed.get(0).box().right()).isEqualTo(placed.get(1).box().left());
    }

    @Test
    void everyDetailedPromptKeepsTheCaptionsWordsAndFitsClipsWindow() {
        for (RegionExamples.Example e : RegionExamples.all()) {
            assertThat(PromptFit.missingWords(e.caption(), e.detailedPrompt())).as(e.caption()).isEmpty();
            assertThat(PromptFit.clip().fits(e.detailedPrompt())).as(e.detailedPrompt()).isTrue();
            e.layout().prompts().forEach(p -> assertThat(PromptFit.clip().fits(p)).as(p).isTrue());
        }
    }

    @Test
    void bothRenderingsOfTheExamplesReadBackIntoTheSameLayouts() throws Exception {
        for (String block : RegionExamples.asRpgText().split("\n\n")) {
            assertThat(RpgAnswerParser.parse(block)).isInstanceOf(RpgAnswerParser.Parsed.class);
        }
        List<String> answers = RegionExamples.asJson().lines().filter(l -> l.startsWith("Answer: ")).toList();
        assertThat(answers).hasSameSizeAs(RegionExamples.all());
        for (int i = 0; i < answers.size(); i++) {
            var repaired = JsonRepair.repair(answers.get(i).substring("Answer: ".length()), JsonSchemas.forType(Drafts.Generation.class));
            assertThat(repaired.errors()).as("example %d against the schema the model is given", i).isEmpty();
            assertThat(repaired.repairs()).isEmpty();
            Drafts.Generation draft = new com.fasterxml.jackson.databind.ObjectMapper().treeToValue(repaired.value(), Drafts.Generation.class);
            assertThat(draft.rows().stream().mapToInt(r -> r.regions().size()).sum())
                    .isEqualTo(RegionExamples.all().get(i).layout().regionCount());
        }
    }
}
