package dev.atelier.core.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.AnnotatedWildcardType;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Derives JSON Schemas (draft 2020-12 subset understood by llama.cpp grammars and OpenAI structured outputs) from
 * Java records: strings, numbers, booleans, enums (by constant name), lists/sets/arrays, string-keyed maps,
 * nested records (inlined) and optional components ({@link Optional} or {@link SchemaField#optional()}).
 * Objects are closed ({@code additionalProperties: false}); every non-optional component is required; int, short
 * and byte carry their Java range as minimum/maximum so that no valid value overflows.
 */
public final class JsonSchemas {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonSchemas() {}

    /** The schema of a record (or any supported type) as a fresh, mutable node. */
    public static ObjectNode forType(Class<?> type) {
        return schemaOf((Type) type, null, new ArrayDeque<>());
    }

    /** {@link #forType(Class)} as compact JSON text. */
    public static String forTypeAsString(Class<?> type) {
        try {
            return MAPPER.writeValueAsString(forType(type));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * True when every object in the schema lists all its properties as required and forbids others: the form
     * OpenAI's strict structured outputs accept.
     */
    public static boolean isStrictCompatible(com.fasterxml.jackson.databind.JsonNode schema) {
        if (!schema.isObject()) return true;
        var properties = schema.get("properties");
        if (properties != null && properties.isObject()) {
            var required = schema.path("required");
            int requiredCount = required.isArray() ? required.size() : 0;
            if (requiredCount != properties.size()) return false;
            if (!schema.path("additionalProperties").isBoolean() || schema.get("additionalProperties").asBoolean()) return false;
            for (var property : properties) if (!isStrictCompatible(property)) return false;
        }
        for (String key : new String[] {"items", "additionalProperties"}) {
            if (schema.has(key) && !isStrictCompatible(schema.get(key))) return false;
        }
        for (String key : new String[] {"anyOf", "oneOf", "allOf"}) {
            for (var option : schema.path(key)) if (!isStrictCompatible(option)) return false;
        }
        return true;
    }

    private static ObjectNode schemaOf(Type type, SchemaField hints, Deque<Class<?>> enclosing) {
        return schemaOf(new PlainType(type), hints, enclosing);
    }

    /** A type without annotations, for callers that only have a {@link Type}. */
    private record PlainType(Type type) {}

    private static ObjectNode schemaOf(Object typeOrAnnotated, SchemaField declared, Deque<Class<?>> enclosing) {
        AnnotatedType annotated = typeOrAnnotated instanceof AnnotatedType a ? a : null;
        Type type = annotated != null ? annotated.getType() : ((PlainType) typeOrAnnotated).type();
        SchemaField hints = annotated != null && annotated.getAnnotation(SchemaField.class) != null
                ? annotated.getAnnotation(SchemaField.class) : declared;
        ObjectNode node = NODES.objectNode();
        if (annotated instanceof AnnotatedWildcardType w && w.getAnnotatedUpperBounds().length > 0) {
            return schemaOf(w.getAnnotatedUpperBounds()[0], hints, enclosing);
        }
        if (type instanceof WildcardType w) return schemaOf(w.getUpperBounds()[0], hints, enclosing);
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Object[] args = annotated instanceof AnnotatedParameterizedType ap
                    ? ap.getAnnotatedActualTypeArguments()
                    : java.util.Arrays.stream(p.getActualTypeArguments()).map(PlainType::new).toArray();
            Type[] rawArgs = p.getActualTypeArguments();
            if (raw == Optional.class) return schemaOf(args[0], hints, enclosing);
            if (Collection.class.isAssignableFrom(raw)) {
                node.put("type", "array");
                node.set("items", schemaOf(args[0], null, enclosing));
                if (java.util.Set.class.isAssignableFrom(raw)) node.put("uniqueItems", true);
            } else if (Map.class.isAssignableFrom(raw)) {
                if (rawArgs[0] != String.class && !(rawArgs[0] instanceof Class<?> k && k.isEnum())) {
                    throw new IllegalArgumentException("map keys must be strings or enums for a JSON Schema: " + type);
                }
                node.put("type", "object");
                node.set("additionalProperties", schemaOf(args[1], null, enclosing));
            } else {
                throw new IllegalArgumentException("no JSON Schema for generic type " + type);
            }
        } else if (annotated instanceof AnnotatedArrayType arr) {
            node.put("type", "array");
            node.set("items", schemaOf(arr.getAnnotatedGenericComponentType(), null, enclosing));
        } else if (type instanceof GenericArrayType g) {
            node.put("type", "array");
            node.set("items", schemaOf(g.getGenericComponentType(), null, enclosing));
        } else if (type instanceof Class<?> c) {
            describeClass(c, node, enclosing);
        } else {
            throw new IllegalArgumentException("no JSON Schema for type " + type);
        }
        applyHints(node, hints);
        return node;
    }

    private static void describeClass(Class<?> c, ObjectNode node, Deque<Class<?>> enclosing) {
        if (c == String.class || c == CharSequence.class) {
            node.put("type", "string");
        } else if (c == char.class || c == Character.class) {
            node.put("type", "string");
            node.put("minLength", 1);
            node.put("maxLength", 1);
        } else if (c == boolean.class || c == Boolean.class) {
            node.put("type", "boolean");
        } else if (c == int.class || c == Integer.class || c == OptionalInt.class) {
            integerWithin(node, Integer.MIN_VALUE, Integer.MAX_VALUE);
        } else if (c == short.class || c == Short.class) {
            integerWithin(node, Short.MIN_VALUE, Short.MAX_VALUE);
        } else if (c == byte.class || c == Byte.class) {
            integerWithin(node, Byte.MIN_VALUE, Byte.MAX_VALUE);
        } else if (c == long.class || c == Long.class || c == BigInteger.class || c == OptionalLong.class) {
            node.put("type", "integer");
        } else if (c == double.class || c == Double.class || c == float.class || c == Float.class
                || c == BigDecimal.class || c == OptionalDouble.class) {
            node.put("type", "number");
        } else if (c.isEnum()) {
            node.put("type", "string");
            ArrayNode values = node.putArray("enum");
            for (Object constant : c.getEnumConstants()) values.add(((Enum<?>) constant).name());
        } else if (c.isArray()) {
            node.put("type", "array");
            node.set("items", schemaOf((Type) c.getComponentType(), null, enclosing));
        } else if (c.isRecord()) {
            if (enclosing.contains(c)) {
                throw new IllegalArgumentException("record " + c.getSimpleName() + " contains itself; recursive types have no inline JSON Schema");
            }
            enclosing.push(c);
            node.put("type", "object");
            ObjectNode properties = node.putObject("properties");
            ArrayNode required = NODES.arrayNode();
            for (RecordComponent rc : c.getRecordComponents()) {
                SchemaField hints = rc.getAnnotation(SchemaField.class);
                properties.set(rc.getName(), schemaOf(rc.getAnnotatedType(), hints, enclosing));
                boolean optional = (hints != null && hints.optional()) || isOptionalType(rc.getType());
                if (!optional) required.add(rc.getName());
            }
            node.set("required", required);
            node.put("additionalProperties", false);
            enclosing.pop();
        } else {
            throw new IllegalArgumentException("no JSON Schema for " + c.getName()
                    + ": use records, strings, numbers, booleans, enums, lists, maps or Optional");
        }
    }

    /** The Java type's range, so that no valid answer overflows the record component. */
    private static void integerWithin(ObjectNode node, int min, int max) {
        node.put("type", "integer");
        node.put("minimum", min);
        node.put("maximum", max);
    }

    private static boolean isOptionalType(Class<?> c) {
        return c == Optional.class || c == OptionalInt.class || c == OptionalLong.class || c == OptionalDouble.class;
    }

    private static void applyHints(ObjectNode node, SchemaField hints) {
        if (hints == null) return;
        String type = node.path("type").asText();
        if (!hints.description().isEmpty()) node.put("description", hints.description());
        if (type.equals("number") || type.equals("integer")) {
            if (!Double.isNaN(hints.minimum())) putNumber(node, "minimum", hints.minimum());
            if (!Double.isNaN(hints.maximum())) putNumber(node, "maximum", hints.maximum());
        }
        if (type.equals("string") && !node.has("enum")) {
            if (hints.minLength() >= 0) node.put("minLength", hints.minLength());
            if (hints.maxLength() >= 0) node.put("maxLength", hints.maxLength());
        }
        if (type.equals("array")) {
            if (hints.minItems() >= 0) node.put("minItems", hints.minItems());
            if (hints.maxItems() >= 0) node.put("maxItems", hints.maxItems());
        }
    }

    private static void putNumber(ObjectNode node, String key, double value) {
        // Whole numbers as ints, so the schema equals its own parsed JSON text.
        if (value == Math.rint(value) && Math.abs(value) <= Integer.MAX_VALUE) node.put(key, (int) value);
        else node.put(key, value);
    }
}
