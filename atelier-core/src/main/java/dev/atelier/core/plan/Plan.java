package dev.atelier.core.plan;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What the assistant decided to do about a request: data that is shown to the person, editable, stored with the
 * picture and replayable. In JSON the member {@code "type"} says which kind of plan it is.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = GeneratePlan.class, name = "generate"),
        @JsonSubTypes.Type(value = EditPlan.class, name = "edit"),
        @JsonSubTypes.Type(value = SimilarImagePlan.class, name = "similar"),
        @JsonSubTypes.Type(value = AnswerPlan.class, name = "answer"),
        @JsonSubTypes.Type(value = RetrievePlan.class, name = "retrieve")})
public sealed interface Plan permits GeneratePlan, EditPlan, SimilarImagePlan, AnswerPlan, RetrievePlan {

    static String requireText(String value, String field, String plan) {
        if (value == null || value.isBlank()) {
            throw new InvalidPlanException("The " + plan + " plan has no " + field + "; fill in \"" + field + "\".");
        }
        return value.strip();
    }

    static String orEmpty(String value) { return value == null ? "" : value.strip(); }

    /** A conversation picture's number: null for none, else 1 or more. */
    static Integer pictureNumber(Integer number) {
        if (number != null && number < 1) {
            throw new InvalidPlanException("picture is " + number + "; the conversation's pictures are numbered from 1.");
        }
        return number;
    }
}
