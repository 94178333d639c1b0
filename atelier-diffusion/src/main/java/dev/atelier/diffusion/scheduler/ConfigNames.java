package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Maps the string values of a scheduler config onto enums with an error that lists what is accepted. */
final class ConfigNames {
    private ConfigNames() {}

    static <E extends Enum<E>> E parse(E[] values, Function<E, String> nameOf, String name, String key) {
        for (E value : values) {
            if (nameOf.apply(value).equalsIgnoreCase(name)) return value;
        }
        String valid = Arrays.stream(values).map(nameOf).collect(Collectors.joining(", "));
        throw new AtelierException("Unsupported " + key + " '" + name + "' in the scheduler config; use one of: "
                + valid + ".");
    }
}
