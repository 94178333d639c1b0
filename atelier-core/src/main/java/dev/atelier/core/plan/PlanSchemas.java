package dev.atelier.core.plan;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.core.json.JsonSchemas;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schema of plan files, generated from the plan records: one alternative per kind of plan (told apart by
 * {@code "type"}), nested modes and masks by their own discriminators, the fields each plan needs marked required
 * and the numeric ranges the records enforce. For editors, validators and models that write plans directly.
 */
public final class PlanSchemas {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Components a plan cannot do without (the others take defaults). */
    private static final Set<String> REQUIRED = Set.of(
            "GeneratePlan.prompt", "EditPlan.instruction", "SimilarImagePlan.caption", "SimilarImagePlan.prompt",
            "AnswerPlan.text", "RetrievePlan.query", "RegionLayout.rows", "Row.regions", "Region.prompt",
            "Inpaint.mask", "DescribedMask.description", "MaskFile.path");

    /** Inclusive numeric ranges the records check. */
    private static final Map<String, double[]> RANGES = Map.ofEntries(
            Map.entry("GeneratePlan.width", new double[] {Sizes.MIN_SIDE, Sizes.MAX_SIDE}),
            Map.entry("GeneratePlan.height", new double[] {Sizes.MIN_SIDE, Sizes.MAX_SIDE}),
            Map.entry("GeneratePlan.steps", new double[] {1, Sizes.MAX_STEPS}),
            Map.entry("GeneratePlan.guidance", new double[] {0, 50}),
            Map.entry("GeneratePlan.baseRatio", new double[] {0, 1}),
            Map.entry("EditPlan.steps", new double[] {1, Sizes.MAX_STEPS}),
            Map.entry("EditPlan.guidance", new double[] {0, 50}),
            Map.entry("EditPlan.imageGuidance", new double[] {0, 50}),
            Map.entry("Outpaint.left", new double[] {0, EditPlan.Outpaint.MAX_EXTENSION}),
            Map.entry("Outpaint.top", new double[] {0, EditPlan.Outpaint.MAX_EXTENSION}),
            Map.entry("Outpaint.right", new double[] {0, EditPlan.Outpaint.MAX_EXTENSION}),
            Map.entry("Outpaint.bottom", new double[] {0, EditPlan.Outpaint.MAX_EXTENSION}),
            Map.entry("GeneratePlan.picture", new double[] {1, Integer.MAX_VALUE}),
            Map.entry("EditPlan.picture", new double[] {1, Integer.MAX_VALUE}),
            Map.entry("SimilarImagePlan.picture", new double[] {1, Integer.MAX_VALUE}),
            Map.entry("AnswerPlan.picture", new double[] {1, Integer.MAX_VALUE}),
            Map.entry("Row.height", new double[] {0, SplitRatio.MAX_WEIGHT}),
            Map.entry("Region.width", new double[] {0, SplitRatio.MAX_WEIGHT}));

    private PlanSchemas() {}

    /** The schema of any plan. */
    public static ObjectNode forPlan() { return schemaOf(Plan.class); }

    /** The schema of one kind of plan (or a part of one), with its discriminator when it has one. */
    public static ObjectNode forType(Class<?> type) {
        for (JsonSubTypes.Type sub : Plan.class.getAnnotation(JsonSubTypes.class).value()) {
            if (sub.value() == type) return withDiscriminator(record(type), "type", sub.name());
        }
        return schemaOf(type);
    }

    private static ObjectNode schemaOf(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            ObjectNode array = NODES.objectNode().put("type", "array");
            array.set("items", schemaOf(p.getActualTypeArguments()[0]));
            return array;
        }
        Class<?> c = (Class<?>) type;
        if (c.isInterface() && c.isSealed()) return alternatives(c);
        if (c.isRecord()) return record(c);
        return JsonSchemas.forType(c);
    }

    /** A sealed type written with a discriminator member: one alternative per subtype. */
    private static ObjectNode alternatives(Class<?> sealed) {
        String member = sealed.getAnnotation(JsonTypeInfo.class).property();
        ArrayNode oneOf = NODES.arrayNode();
        for (JsonSubTypes.Type sub : sealed.getAnnotation(JsonSubTypes.class).value()) {
            oneOf.add(withDiscriminator(record(sub.value()), member, sub.name()));
        }
        ObjectNode node = NODES.objectNode();
        node.set("oneOf", oneOf);
        return node;
    }

    private static ObjectNode withDiscriminator(ObjectNode record, String member, String name) {
        ObjectNode properties = NODES.objectNode();
        properties.set(member, NODES.objectNode().put("const", name));
        properties.setAll((ObjectNode) record.get("properties"));
        record.set("properties", properties);
        ArrayNode required = NODES.arrayNode().add(member);
        required.addAll((ArrayNode) record.get("required"));
        record.set("required", required);
        return record;
    }

    private static ObjectNode record(Class<?> c) {
        ObjectNode node = NODES.objectNode().put("type", "object");
        ObjectNode properties = node.putObject("properties");
        ArrayNode required = NODES.arrayNode();
        for (RecordComponent rc : c.getRecordComponents()) {
            String key = c.getSimpleName() + "." + rc.getName();
            ObjectNode property = schemaOf(rc.getGenericType());
            double[] range = RANGES.get(key);
            if (range != null) property.put("minimum", range[0]).put("maximum", range[1]);
            if (REQUIRED.contains(key) && rc.getType() == String.class) property.put("minLength", 1);
            properties.set(rc.getName(), property);
            if (REQUIRED.contains(key) || rc.getType().isPrimitive()) required.add(rc.getName());
        }
        node.set("required", required);
        node.put("additionalProperties", false);
        return node;
    }
}
