package dev.atelier.diffusion.scheduler;

import dev.atelier.core.AtelierException;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The samplers Atelier offers, with the names the CLI and requests use. */
public enum SchedulerKind {
    DDIM("ddim"),
    EULER("euler"),
    EULER_ANCESTRAL("euler-a"),
    DPMPP_2M_KARRAS("dpmpp-2m-karras"),
    DPMPP_2M("dpmpp-2m"),
    LCM("lcm");

    private final String cliName;

    SchedulerKind(String cliName) { this.cliName = cliName; }

    /** The name on the command line ({@code --scheduler euler-a}). */
    public String cliName() { return cliName; }

    /** Looks a kind up by its CLI name, case-insensitively. */
    public static SchedulerKind fromCliName(String name) {
        String wanted = name == null ? "" : name.trim();
        for (SchedulerKind kind : values()) {
            if (kind.cliName.equalsIgnoreCase(wanted)) return kind;
        }
        throw new AtelierException("Unknown scheduler '" + name + "'; choose one of: " + validNames() + ".");
    }

    /** All CLI names, comma separated, for help texts. */
    public static String validNames() {
        return Arrays.stream(values()).map(SchedulerKind::cliName).collect(Collectors.joining(", "));
    }
}
