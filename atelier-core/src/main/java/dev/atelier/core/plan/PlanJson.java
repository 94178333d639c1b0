package dev.atelier.core.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

/** Plans to JSON and back: what {@code atelier plan} prints and what a person may edit and render later. */
public final class PlanJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private PlanJson() {}

    public static String write(Plan plan) {
        try {
            return MAPPER.writeValueAsString(plan);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a plan record failed to serialise", e);
        }
    }

    /** Reads a plan; a malformed or invalid plan gives an {@link InvalidPlanException} that says what to fix. */
    public static Plan read(String json) {
        try {
            return MAPPER.readValue(json, Plan.class);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidPlanException invalid) throw invalid;
            throw new InvalidPlanException("The plan is not valid: " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new InvalidPlanException("The plan JSON cannot be read (" + e.getOriginalMessage()
                    + "); it needs a \"type\" of generate, edit, similar, answer or retrieve and that plan's fields.", e);
        }
    }
}
