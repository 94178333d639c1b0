package dev.atelier.llm.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.core.json.JsonSchemaValidator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a model's answer into a JSON value for a schema when that is safe: strips markdown fences, finds the JSON
 * value inside surrounding prose, closes brackets of an answer cut off between two values (dropping the incomplete
 * last element, never guessing its content), tolerates trailing commas, comments and single quotes, and coerces
 * obvious type mismatches (numeric strings, "true"/"false", enum spelling variants, a lone value where a list is
 * expected, unknown properties of closed objects).
 */
public final class JsonRepair {

    private static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS, JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_CANDIDATES = 8;
    private static final int MAX_CUTS = 16;

    private JsonRepair() {}

    /**
     * What came of an answer.
     *
     * @param value     the best JSON value found (after coercion), or null when no JSON value could be read
     * @param errors    schema violations of {@code value}, or why nothing could be read; empty when valid
     * @param repairs   what was changed to get there, for logs
     * @param truncated the answer ended inside an unfinished JSON value
     */
    public record Result(JsonNode value, List<String> errors, List<String> repairs, boolean truncated) {
        public boolean valid() { return value != null && errors.isEmpty(); }
    }

    /** Reads the answer against the schema (null schema: any JSON value). */
    public static Result repair(String answer, JsonNode schema) {
        List<String> repairs = new ArrayList<>();
        String text = answer == null ? "" : answer.strip();
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String unfenced = stripFences(text);
        if (!unfenced.equals(text)) {
            repairs.add("removed markdown code fence");
            text = unfenced;
        }
        char preferred = schema != null && "array".equals(schema.path("type").asText()) ? '[' : '{';
        Result firstParsed = null;
        boolean sawTruncation = false;
        int candidates = 0;
        for (int start = nextOpening(text, 0, preferred); start >= 0 && candidates < MAX_CANDIDATES;
             start = nextOpening(text, start + 1, preferred)) {
            candidates++;
            Span span = scan(text, start);
            List<String> local = new ArrayList<>(repairs);
            boolean surrounded = start > 0 || (span.complete() && !text.substring(span.end()).isBlank());
            if (surrounded) local.add("extracted JSON from surrounding text");
            List<String> attempts = new ArrayList<>();
            if (span.complete()) {
                attempts.add(text.substring(start, span.end()));
            } else {
                sawTruncation = true;
                // Latest cut first: keep as much as possible, drop incomplete trailing elements one by one.
                List<Cut> cuts = span.cuts();
                for (int i = cuts.size() - 1; i >= 0 && attempts.size() < MAX_CUTS; i--) {
                    attempts.add(text.substring(start, cuts.get(i).position()) + cuts.get(i).closers());
                }
                if (attempts.isEmpty()) continue;
                local.add("closed JSON cut off at the end of the answer");
            }
            for (String json : attempts) {
                JsonNode value;
                try {
                    value = LENIENT.readTree(json);
                } catch (JsonProcessingException e) {
                    if (firstParsed == null) firstParsed = new Result(null, List.of("not valid JSON: " + e.getOriginalMessage()), local, !span.complete());
                    continue;
                }
                if (value == null) continue;
                List<String> tried = new ArrayList<>(local);
                value = schema == null ? value : coerce(schema, value, "$", tried);
                List<String> errors = schema == null ? List.of() : JsonSchemaValidator.validate(schema, value);
                Result result = new Result(value, errors, tried, !span.complete());
                if (errors.isEmpty()) return result;
                if (firstParsed == null || firstParsed.value() == null) firstParsed = result;
            }
            if (!span.complete()) break; // every later opening lies inside this cut-off value
            start = span.end() - 1; // skip nested openings of a value already tried
        }
        // No object/array found: maybe the schema wants a bare scalar.
        if (firstParsed == null && schema != null && !schema.path("type").asText().matches("object|array")) {
            try {
                JsonNode value = coerce(schema, LENIENT.readTree(text), "$", repairs);
                if (value != null) return new Result(value, JsonSchemaValidator.validate(schema, value), repairs, false);
            } catch (JsonProcessingException ignored) {
                // reported below
            }
        }
        if (firstParsed != null) return firstParsed;
        String why = sawTruncation ? "the JSON value is cut off inside a string or number, so it cannot be completed safely"
                : "the answer contains no JSON value";
        return new Result(null, List.of(why), repairs, sawTruncation);
    }

    private static String stripFences(String text) {
        int open = text.indexOf("```");
        if (open < 0) return text;
        int lineEnd = text.indexOf('\n', open);
        if (lineEnd < 0) return text;
        int close = text.indexOf("```", lineEnd);
        return (close < 0 ? text.substring(lineEnd + 1) : text.substring(lineEnd + 1, close)).strip();
    }

    private static int nextOpening(String text, int from, char preferred) {
        int brace = text.indexOf('{', from);
        int bracket = text.indexOf('[', from);
        if (brace < 0) return bracket;
        if (bracket < 0) return brace;
        // The schema's own kind of opening wins when both occur; otherwise the earlier.
        if (preferred == '[' && bracket < brace) return bracket;
        return Math.min(brace, bracket);
    }

    /** A place where everything before is complete JSON, and the brackets that close it there. */
    record Cut(int position, Closers open) {
        String closers() { return open == null ? "" : open.text(); }
    }

    /**
     * The brackets open at some point, innermost first, as a shared linked stack: a cut keeps its node instead of a
     * copy, so scanning deep nesting stays linear and only the few cuts tried are spelled out.
     */
    record Closers(char closer, Closers outer) {
        String text() {
            StringBuilder sb = new StringBuilder();
            for (Closers c = this; c != null; c = c.outer) sb.append(c.closer);
            return sb.toString();
        }
    }

    /** Where the JSON value starting at some index ends or, if it does not, the places where it could be closed. */
    record Span(boolean complete, int end, List<Cut> cuts) {}

    static Span scan(String text, int start) {
        Closers stack = null;
        List<Cut> cuts = new ArrayList<>();
        char quote = 0;
        boolean escaped = false;
        boolean stringIsValue = false;
        char lastStructural = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (escaped) escaped = false;
                else if (c == '\\') escaped = true;
                else if (c == quote) {
                    quote = 0;
                    if (stringIsValue) cuts.add(new Cut(i + 1, stack));
                }
                continue;
            }
            switch (c) {
                case '"', '\'' -> {
                    quote = c;
                    boolean inObject = stack != null && stack.closer() == '}';
                    stringIsValue = !inObject || lastStructural == ':';
                }
                case '{', '[' -> {
                    stack = new Closers(c == '{' ? '}' : ']', stack);
                    cuts.add(new Cut(i + 1, stack));
                    lastStructural = c;
                }
                case '}', ']' -> {
                    if (stack == null || stack.closer() != c) return new Span(false, -1, cuts);
                    stack = stack.outer();
                    if (stack == null) return new Span(true, i + 1, List.of());
                    cuts.add(new Cut(i + 1, stack));
                    lastStructural = c;
                }
                case ',' -> {
                    cuts.add(new Cut(i, stack));
                    lastStructural = c;
                }
                case ':' -> lastStructural = c;
                default -> { }
            }
        }
        return new Span(false, -1, cuts);
    }

    /** Fixes obvious type mismatches against the schema, recording each change; returns the (possibly new) value. */
    static JsonNode coerce(JsonNode schema, JsonNode value, String path, List<String> repairs) {
        if (schema == null || !schema.isObject() || value == null) return value;
        String type = schema.path("type").isTextual() ? schema.path("type").asText() : "";
        JsonNode enumValues = schema.get("enum");
        if (enumValues != null && value.isValueNode()) {
            for (JsonNode allowed : enumValues) if (allowed.equals(value)) return value;
            String wanted = normalizeEnum(value.asText());
            JsonNode match = null;
            int matches = 0;
            for (JsonNode allowed : enumValues) {
                if (allowed.isTextual() && normalizeEnum(allowed.asText()).equals(wanted)) {
                    match = allowed;
                    matches++;
                }
            }
            if (matches == 1) {
                repairs.add(path + ": read " + value + " as " + match);
                return match;
            }
            return value;
        }
        switch (type) {
            case "integer" -> {
                if (value.isTextual() && value.asText().strip().matches("-?\\d{1,18}")) {
                    repairs.add(path + ": read string " + value + " as an integer");
                    return integerNode(Long.parseLong(value.asText().strip()));
                }
                if (value.isFloatingPointNumber() && value.doubleValue() == Math.rint(value.doubleValue()) && Math.abs(value.doubleValue()) < 1e18) {
                    return integerNode(value.longValue());
                }
            }
            case "number" -> {
                if (value.isTextual() && value.asText().strip().matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                    repairs.add(path + ": read string " + value + " as a number");
                    return NODES.numberNode(Double.parseDouble(value.asText().strip()));
                }
            }
            case "boolean" -> {
                if (value.isTextual() && value.asText().strip().matches("(?i)true|false")) {
                    repairs.add(path + ": read string " + value + " as a boolean");
                    return NODES.booleanNode(Boolean.parseBoolean(value.asText().strip()));
                }
            }
            case "string" -> {
                if (value.isNumber() || value.isBoolean()) {
                    repairs.add(path + ": read " + value + " as a string");
                    return NODES.textNode(value.asText());
                }
            }
            case "array" -> {
                JsonNode items = schema.get("items");
                if (!value.isArray() && !value.isNull() && items != null && !"array".equals(items.path("type").asText())) {
                    repairs.add(path + ": wrapped a single value in a list");
                    ArrayNode wrapped = NODES.arrayNode();
                    wrapped.add(coerce(items, value, path + "[0]", repairs));
                    return wrapped;
                }
                if (value.isArray() && items != null) {
                    ArrayNode out = NODES.arrayNode();
                    for (int i = 0; i < value.size(); i++) out.add(coerce(items, value.get(i), path + "[" + i + "]", repairs));
                    return out;
                }
            }
            case "object" -> {
                if (value.isObject()) return coerceObject(schema, (ObjectNode) value, path, repairs);
            }
            default -> { }
        }
        return value;
    }

    private static JsonNode integerNode(long v) {
        return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
    }

    private static JsonNode coerceObject(JsonNode schema, ObjectNode value, String path, List<String> repairs) {
        JsonNode properties = schema.path("properties");
        boolean closed = schema.path("additionalProperties").isBoolean() && !schema.path("additionalProperties").asBoolean();
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        ObjectNode out = NODES.objectNode();
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            String name = field.getKey();
            if (!properties.has(name)) {
                String renamed = uniqueCaseInsensitive(properties, name);
                if (renamed != null && !value.has(renamed)) {
                    repairs.add(path + ": read property \"" + name + "\" as \"" + renamed + "\"");
                    name = renamed;
                } else if (closed) {
                    repairs.add(path + ": dropped unknown property \"" + name + "\"");
                    continue;
                }
            }
            JsonNode child = field.getValue();
            if (child.isNull() && !required.contains(name) && properties.has(name)
                    && !JsonSchemaValidator.isValid(properties.get(name), child)) {
                repairs.add(path + ": dropped null optional property \"" + name + "\"");
                continue;
            }
            out.set(name, properties.has(name) ? coerce(properties.get(name), child, path + "." + name, repairs) : child);
        }
        return out;
    }

    private static String uniqueCaseInsensitive(JsonNode properties, String name) {
        String wanted = normalizeEnum(name);
        String found = null;
        for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
            String candidate = it.next();
            if (normalizeEnum(candidate).equals(wanted)) {
                if (found != null) return null;
                found = candidate;
            }
        }
        return found;
    }

    private static String normalizeEnum(String s) {
        return s.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-]+", "");
    }
}
