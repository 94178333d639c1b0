package dev.atelier.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a JSON value against the schema subset {@link JsonSchemas} produces (type, enum, const, properties,
 * required, additionalProperties, items, min/max items, uniqueItems, min/max length, minimum/maximum, exclusive
 * bounds, anyOf/oneOf). Errors name the offending location as a path like {@code $.regions[1].kind}, so they can
 * be shown to a model as feedback.
 */
public final class JsonSchemaValidator {

    private JsonSchemaValidator() {}

    /** All violations; empty when the value is valid. */
    public static List<String> validate(JsonNode schema, JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(schema, value, "$", errors);
        return errors;
    }

    public static boolean isValid(JsonNode schema, JsonNode value) {
        return validate(schema, value).isEmpty();
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema == null || !schema.isObject()) return;
        if (schema.has("anyOf") || schema.has("oneOf")) {
            JsonNode options = schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf");
            boolean any = false;
            for (JsonNode option : options) {
                if (validate(option, value).isEmpty()) {
                    any = true;
                    break;
                }
            }
            if (!any) errors.add(path + ": matches none of the allowed alternatives");
        }
        JsonNode type = schema.get("type");
        if (type != null && !matchesType(type, value)) {
            errors.add(path + ": expected " + describeType(type) + ", got " + describe(value));
            return;
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode allowed : schema.get("enum")) found |= allowed.equals(value);
            if (!found) errors.add(path + ": expected one of " + schema.get("enum") + ", got " + describe(value));
        }
        if (schema.has("const") && !schema.get("const").equals(value)) {
            errors.add(path + ": expected " + schema.get("const") + ", got " + describe(value));
        }
        if (value.isTextual()) checkString(schema, value.textValue(), path, errors);
        if (value.isNumber()) checkNumber(schema, value.doubleValue(), path, errors);
        if (value.isArray()) checkArray(schema, value, path, errors);
        if (value.isObject()) checkObject(schema, value, path, errors);
    }

    private static void checkString(JsonNode schema, String s, String path, List<String> errors) {
        int length = s.codePointCount(0, s.length());
        if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
            errors.add(path + ": text shorter than " + schema.get("minLength").asInt() + " characters");
        }
        if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
            errors.add(path + ": text longer than " + schema.get("maxLength").asInt() + " characters");
        }
        if (schema.has("pattern") && !java.util.regex.Pattern.compile(schema.get("pattern").asText()).matcher(s).find()) {
            errors.add(path + ": text does not match pattern " + schema.get("pattern").asText());
        }
    }

    private static void checkNumber(JsonNode schema, double v, String path, List<String> errors) {
        if (schema.has("minimum") && v < schema.get("minimum").asDouble()) {
            errors.add(path + ": " + v + " is below the minimum " + schema.get("minimum").asText());
        }
        if (schema.has("maximum") && v > schema.get("maximum").asDouble()) {
            errors.add(path + ": " + v + " is above the maximum " + schema.get("maximum").asText());
        }
        if (schema.has("exclusiveMinimum") && v <= schema.get("exclusiveMinimum").asDouble()) {
            errors.add(path + ": " + v + " must be greater than " + schema.get("exclusiveMinimum").asText());
        }
        if (schema.has("exclusiveMaximum") && v >= schema.get("exclusiveMaximum").asDouble()) {
            errors.add(path + ": " + v + " must be less than " + schema.get("exclusiveMaximum").asText());
        }
    }

    private static void checkArray(JsonNode schema, JsonNode array, String path, List<String> errors) {
        if (schema.has("minItems") && array.size() < schema.get("minItems").asInt()) {
            errors.add(path + ": needs at least " + schema.get("minItems").asInt() + " items, has " + array.size());
        }
        if (schema.has("maxItems") && array.size() > schema.get("maxItems").asInt()) {
            errors.add(path + ": allows at most " + schema.get("maxItems").asInt() + " items, has " + array.size());
        }
        if (schema.path("uniqueItems").asBoolean(false)) {
            Set<JsonNode> seen = new HashSet<>();
            for (JsonNode item : array) if (!seen.add(item)) errors.add(path + ": items must be unique, " + item + " repeats");
        }
        JsonNode items = schema.get("items");
        if (items != null) {
            for (int i = 0; i < array.size(); i++) check(items, array.get(i), path + "[" + i + "]", errors);
        }
    }

    private static void checkObject(JsonNode schema, JsonNode object, String path, List<String> errors) {
        JsonNode properties = schema.path("properties");
        for (JsonNode name : schema.path("required")) {
            if (!object.has(name.asText())) errors.add(path + ": missing required property \"" + name.asText() + "\"");
        }
        JsonNode additional = schema.get("additionalProperties");
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String childPath = path + "." + field.getKey();
            if (properties.has(field.getKey())) {
                check(properties.get(field.getKey()), field.getValue(), childPath, errors);
            } else if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                errors.add(path + ": unexpected property \"" + field.getKey() + "\"");
            } else if (additional != null && additional.isObject()) {
                check(additional, field.getValue(), childPath, errors);
            }
        }
    }

    private static boolean matchesType(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode t : type) if (matchesType(t, value)) return true;
            return false;
        }
        return switch (type.asText()) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber() || (value.isNumber() && value.doubleValue() == Math.rint(value.doubleValue())
                    && !Double.isInfinite(value.doubleValue()));
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            case "null" -> value.isNull();
            default -> true;
        };
    }

    private static String describeType(JsonNode type) {
        if (!type.isArray()) return type.asText();
        List<String> names = new ArrayList<>();
        for (JsonNode t : type) names.add(t.asText());
        return String.join(" or ", names);
    }

    private static String describe(JsonNode value) {
        String kind = value.isTextual() ? "string" : value.isIntegralNumber() ? "integer" : value.isNumber() ? "number"
                : value.isBoolean() ? "boolean" : value.isArray() ? "array" : value.isObject() ? "object" : "null";
        String text = value.toString();
        if (text.length() > 60) text = text.substring(0, 57) + "...";
        return kind + " " + text;
    }
}
