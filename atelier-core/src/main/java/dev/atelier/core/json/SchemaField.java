package dev.atelier.core.json;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Refines the JSON Schema that {@link JsonSchemas#forType(Class)} derives for a record component.
 * Unset bounds (negative lengths, NaN numbers) are left out of the schema. It may also annotate type arguments,
 * e.g. {@code List<@SchemaField(maxLength = 20) String>}; each bound applies only where it fits the JSON type
 * (lengths to strings, items to arrays, minimum/maximum to numbers).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE_USE})
public @interface SchemaField {

    /** What the value means; models read it. */
    String description() default "";

    /** Inclusive lower bound of a number. */
    double minimum() default Double.NaN;

    /** Inclusive upper bound of a number. */
    double maximum() default Double.NaN;

    int minLength() default -1;

    int maxLength() default -1;

    int minItems() default -1;

    int maxItems() default -1;

    /** When true the property may be left out (as {@link java.util.Optional} components always may). */
    boolean optional() default false;
}
