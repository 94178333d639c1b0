package dev.atelier.hub;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The named presets shipped in {@code presets.json}. */
public final class Presets {
    static final String RESOURCE = "presets.json";

    private final List<Preset> presets;

    public Presets(List<Preset> presets) { this.presets = List.copyOf(presets); }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record File(List<Preset> presets) {}

    /** The presets bundled with Atelier. */
    public static Presets builtIn() {
        try (InputStream in = Presets.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the atelier-hub jar");
            ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
            return new Presets(mapper.readValue(in, File.class).presets());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Preset> all() { return presets; }

    public Optional<Preset> find(String name) {
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        return presets.stream().filter(p -> p.name().toLowerCase(Locale.ROOT).equals(wanted)).findFirst();
    }

    public List<String> names() { return presets.stream().map(Preset::name).toList(); }
}
