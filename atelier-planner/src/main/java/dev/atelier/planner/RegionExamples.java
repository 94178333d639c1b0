package dev.atelier.planner;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.plan.RegionLayout;
import dev.atelier.core.plan.SplitRatio;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few-shot examples of region planning, written once in {@code prompts/region-examples.txt} and shown to the
 * model either in RPG's text format or as JSON, so both routes teach the same, self-consistent plans.
 */
public final class RegionExamples {
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** One worked example; its layout pairs the ratio with the prompts, so counts agree by construction. */
    public record Example(String caption, String thinking, String detailedPrompt, RegionLayout layout,
                          String basePrompt, Double baseRatio, String negativePrompt) {}

    private RegionExamples() {}

    public static List<Example> all() {
        List<Example> out = new ArrayList<>();
        for (String block : PromptTemplates.text("region-examples.txt").split("(?m)^---\\s*$")) {
            if (!block.isBlank()) out.add(read(block));
        }
        return out;
    }

    /** The examples in RPG's format, each as "Caption: …" followed by the answer. */
    public static String asRpgText() {
        StringBuilder sb = new StringBuilder();
        for (Example e : all()) {
            sb.append("Caption: ").append(e.caption()).append('\n')
                    .append("Thinking: ").append(e.thinking()).append('\n')
                    .append("Detailed prompt: ").append(e.detailedPrompt()).append('\n')
                    .append("Final split ratio: ").append(e.layout().splitRatio()).append('\n')
                    .append("Regional Prompt: ").append(String.join(" BREAK ", e.layout().prompts())).append("\n\n");
        }
        return sb.toString().strip();
    }

    /** The examples as request and JSON answer, in the shape of {@link Drafts.Generation}. */
    public static String asJson() {
        StringBuilder sb = new StringBuilder();
        for (Example e : all()) {
            sb.append("Request: ").append(e.caption()).append('\n')
                    .append("Answer: ").append(toJson(toDraft(e))).append("\n\n");
        }
        return sb.toString().strip();
    }

    static Drafts.Generation toDraft(Example e) {
        List<Drafts.Row> rows = e.layout().rows().stream()
                .map(r -> new Drafts.Row(r.height(), r.regions().stream().map(g -> new Drafts.Region(g.width(), g.prompt())).toList()))
                .toList();
        return new Drafts.Generation(e.thinking(), e.detailedPrompt(), e.negativePrompt(), rows, e.basePrompt(), e.baseRatio());
    }

    private static String toJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static Example read(String block) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : block.strip().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) fields.put(line.substring(0, colon).strip().toLowerCase(), line.substring(colon + 1).strip());
        }
        // The example's own ratio and prompts go through the same parser as model answers.
        RpgAnswerParser.Result parsed = RpgAnswerParser.parse(
                "Final split ratio: " + fields.get("final split ratio") + "\nRegional Prompt: " + fields.get("regional prompt"));
        if (!(parsed instanceof RpgAnswerParser.Parsed p)) {
            throw new IllegalStateException("region example \"" + fields.get("caption") + "\" does not parse: " + parsed);
        }
        SplitRatio ratio = p.ratio();
        String baseRatio = fields.get("base ratio");
        return new Example(fields.get("caption"), fields.get("thinking"), fields.get("detailed prompt"),
                RegionLayout.of(ratio, p.prompts()), fields.get("base prompt"),
                baseRatio == null ? null : Double.valueOf(baseRatio), fields.getOrDefault("negative prompt", ""));
    }
}
