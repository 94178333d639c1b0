package dev.atelier.vision.preprocess;

import dev.atelier.core.AtelierException;

/**
 * The resampling filters of Pillow, numbered as Hugging Face configs write them ({@code "resample": 3}). Resizing
 * follows Pillow's convolution: the kernel widens by the scale factor when shrinking, so downscaling averages
 * (antialiases) rather than skipping pixels.
 */
public enum Resampling {
    NEAREST(0, 0.5),
    LANCZOS(1, 3.0),
    BILINEAR(2, 1.0),
    BICUBIC(3, 2.0),
    BOX(4, 0.5),
    HAMMING(5, 1.0);

    private final int code;
    private final double support;

    Resampling(int code, double support) {
        this.code = code;
        this.support = support;
    }

    public int code() { return code; }

    /** Half-width of the kernel at scale 1. */
    double support() { return support; }

    public static Resampling ofCode(int code) {
        for (Resampling r : values()) if (r.code == code) return r;
        throw new AtelierException("preprocessor_config.json has resample " + code
                + ", which is not a Pillow filter (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)");
    }

    /** Kernel weight at distance {@code x} (in input pixels at scale 1). */
    double weight(double x) {
        double ax = Math.abs(x);
        return switch (this) {
            case NEAREST, BOX -> (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
            case BILINEAR -> ax < 1 ? 1 - ax : 0;
            case HAMMING -> {
                if (ax >= 1) yield 0;
                if (ax == 0) yield 1;
                double px = Math.PI * x;
                yield Math.sin(px) / px * (0.54 + 0.46 * Math.cos(px));
            }
            case BICUBIC -> {
                // Keys' cubic with a = −0.5, as Pillow uses.
                double a = -0.5;
                if (ax < 1) yield ((a + 2) * ax - (a + 3)) * ax * ax + 1;
                if (ax < 2) yield (((ax - 5) * ax + 8) * ax - 4) * a;
                yield 0;
            }
            case LANCZOS -> ax < 3 ? sinc(x) * sinc(x / 3) : 0;
        };
    }

    private static double sinc(double x) {
        if (x == 0) return 1;
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }
}
