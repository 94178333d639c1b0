package dev.atelier.diffusion.noise;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.atelier.core.AtelierException;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Which generator turns a seed into the starting latents and the samplers' fresh noise. */
public enum NoiseKind {
    /** PyTorch's CPU generator ({@link TorchCpuGenerator}): a seed gives diffusers' picture on the CPU. */
    TORCH_CPU("torch-cpu"),
    /** Atelier's first generator (SplitMix64 and Box–Muller); images made before torch-cpu existed used it. */
    ATELIER("atelier");

    /** What a request that names no generator gets: torch-cpu costs no more than Atelier's own. */
    public static final NoiseKind DEFAULT = TORCH_CPU;

    private final String cliName;

    NoiseKind(String cliName) { this.cliName = cliName; }

    /** The name on the command line ({@code --noise torch-cpu}), in requests and in PNG metadata. */
    @JsonValue
    public String cliName() { return cliName; }

    @JsonCreator
    public static NoiseKind fromCliName(String name) {
        String wanted = name == null ? "" : name.trim();
        for (NoiseKind kind : values()) {
            if (kind.cliName.equalsIgnoreCase(wanted)) return kind;
        }
        throw new AtelierException("Unknown noise generator '" + name + "'; choose one of: " + validNames() + ".");
    }

    public static String validNames() {
        return Arrays.stream(values()).map(NoiseKind::cliName).collect(Collectors.joining(", "));
    }
}
