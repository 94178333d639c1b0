package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import java.util.Locale;

/**
 * How region plans are rendered: inside the UNet's cross-attention in one pass ({@link #ATTENTION}, RPG's way), as
 * one UNet batch entry per region composed through the masks ({@link #LATENT}), or attention where the UNet's
 * attention blocks can be rewritten and latent otherwise ({@link #AUTO}).
 */
public enum RegionalMode {
    AUTO, ATTENTION, LATENT;

    /** The mode named {@code text} ("attention", "latent", "auto"). */
    public static RegionalMode parse(String text) {
        for (RegionalMode m : values()) if (m.name().equalsIgnoreCase(text.strip())) return m;
        throw new AtelierException("unknown regional mode \"" + text + "\"; use attention, latent or auto");
    }

    @Override
    public String toString() { return name().toLowerCase(Locale.ROOT); }
}
