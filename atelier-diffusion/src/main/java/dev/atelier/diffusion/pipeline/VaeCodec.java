package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.diffusion.onnx.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The VAE between scaled latents and images in [-1, 1], one image at a time, tiled per {@link VaeTiling}. Decoding
 * divides latents by the scaling factor first; encoding multiplies by it after (and takes the mean when the encoder
 * returns the distribution's parameters).
 */
final class VaeCodec {
    static final int LATENT_CHANNELS = 4;

    private final ModelSession decoder;
    private final ModelSession encoder;
    private final double scalingFactor;
    private final VaeTiling tiling;
    private final String decoderInput;
    private final String encoderInput;

    /** @param encoder may be null when the pipeline has no VAE encoder (text-to-image only) */
    VaeCodec(ModelSession decoder, ModelSession encoder, double scalingFactor, VaeTiling tiling) {
        this.decoder = decoder;
        this.encoder = encoder;
        this.scalingFactor = scalingFactor;
        this.tiling = tiling;
        this.decoderInput = decoder.input("latent_sample").map(TensorSpec::name)
                .orElseGet(() -> single(decoder).name());
        this.encoderInput = encoder == null ? null
                : encoder.input("sample").map(TensorSpec::name).orElseGet(() -> single(encoder).name());
    }

    private static TensorSpec single(ModelSession s) {
        if (s.inputs().size() != 1) {
            throw new AtelierException(s.name() + " should take one input (latent_sample or sample) but declares "
                    + s.inputs() + "; this is not a VAE of a Stable Diffusion export");
        }
        return s.inputs().getFirst();
    }

    boolean canEncode() { return encoder != null; }

    /** Scaled latents [4, h, w] → image [3, 8h, 8w] in about [-1, 1]. */
    float[] decode(float[] latents, int latentHeight, int latentWidth) {
        float[] unscaled = new float[latents.length];
        float inv = (float) (1 / scalingFactor);
        for (int i = 0; i < latents.length; i++) unscaled[i] = latents[i] * inv;
        TileFunction run = (tile, h, w) -> decoder.run(Map.of(decoderInput, Tensor.of(tile, 1, LATENT_CHANNELS, h, w)))
                .values().iterator().next().data();
        if (!tiling.appliesTo(latentHeight, latentWidth)) return run.apply(unscaled, latentHeight, latentWidth);
        return tiled(unscaled, LATENT_CHANNELS, 1, 3, 8, latentHeight, latentWidth, run);
    }

    /** Image [3, H, W] in [-1, 1] → scaled latents [4, H/8, W/8]. */
    float[] encode(float[] image, int height, int width) {
        if (encoder == null) {
            throw new AtelierException("this pipeline has no vae_encoder/model.onnx, which image-to-image (--init) needs;"
                    + " export the model with its VAE encoder");
        }
        TileFunction run = (tile, h, w) -> latentMean(encoder.run(Map.of(encoderInput, Tensor.of(tile, 1, 3, h, w)))
                .values().iterator().next());
        int lh = height / 8;
        int lw = width / 8;
        float[] latents = tiling.appliesTo(lh, lw) ? tiled(image, 3, 8, LATENT_CHANNELS, 1, lh, lw, run) : run.apply(image, height, width);
        float s = (float) scalingFactor;
        for (int i = 0; i < latents.length; i++) latents[i] *= s;
        return latents;
    }

    /** An encoder may return the latent distribution's [mean ‖ log-variance] (8 channels): keep the mean. */
    private static float[] latentMean(Tensor.Floats out) {
        long channels = out.shape()[1];
        if (channels == LATENT_CHANNELS) return out.data();
        if (channels == 2L * LATENT_CHANNELS) {
            int plane = (int) (out.shape()[2] * out.shape()[3]);
            float[] mean = new float[LATENT_CHANNELS * plane];
            System.arraycopy(out.data(), 0, mean, 0, mean.length);
            return mean;
        }
        throw new AtelierException("vae_encoder returns " + channels + " channels; expected 4 latents or 8 distribution"
                + " parameters — this is not a Stable Diffusion VAE encoder");
    }

    @FunctionalInterface
    interface TileFunction {
        /** One tile [channels, h, w] (h, w in the function's input units) → its output tile. */
        float[] apply(float[] tile, int height, int width);
    }

    /**
     * Runs {@code fn} over overlapping tiles laid out in latent units and blends the outputs with linear ramps
     * across each overlap (weights normalised, so a linear model gives the untiled result exactly).
     *
     * @param inScale  input pixels per latent pixel (1 when the input is latents, 8 when it is an image)
     * @param outScale output pixels per latent pixel
     */
    float[] tiled(float[] input, int inChannels, int inScale, int outChannels, int outScale,
                  int latentHeight, int latentWidth, TileFunction fn) {
        int inH = latentHeight * inScale;
        int inW = latentWidth * inScale;
        int outH = latentHeight * outScale;
        int outW = latentWidth * outScale;
        float[] out = new float[outChannels * outH * outW];
        float[] weightSum = new float[outH * outW];
        List<Integer> ys = starts(latentHeight, tiling.tile(), tiling.overlap());
        List<Integer> xs = starts(latentWidth, tiling.tile(), tiling.overlap());
        int rampLength = tiling.overlap() * outScale;
        for (int y0 : ys) {
            int th = Math.min(tiling.tile(), latentHeight);
            for (int x0 : xs) {
                int tw = Math.min(tiling.tile(), latentWidth);
                int cropH = th * inScale;
                int cropW = tw * inScale;
                float[] crop = new float[inChannels * cropH * cropW];
                for (int c = 0; c < inChannels; c++) {
                    for (int y = 0; y < cropH; y++) {
                        System.arraycopy(input, (c * inH + y0 * inScale + y) * inW + x0 * inScale,
                                crop, (c * cropH + y) * cropW, cropW);
                    }
                }
                float[] result = fn.apply(crop, cropH, cropW);
                int rh = th * outScale;
                int rw = tw * outScale;
                if (result.length != outChannels * rh * rw) {
                    throw new AtelierException("the VAE returned " + result.length + " values for a tile of "
                            + cropW + "x" + cropH + "; expected " + outChannels + "x" + rw + "x" + rh);
                }
                float[] wy = ramp(rh, y0 > 0, y0 + th < latentHeight, rampLength);
                float[] wx = ramp(rw, x0 > 0, x0 + tw < latentWidth, rampLength);
                for (int y = 0; y < rh; y++) {
                    int oy = y0 * outScale + y;
                    for (int x = 0; x < rw; x++) {
                        float wgt = wy[y] * wx[x];
                        int o = oy * outW + x0 * outScale + x;
                        weightSum[o] += wgt;
                        for (int c = 0; c < outChannels; c++) {
                            out[c * outH * outW + o] += wgt * result[(c * rh + y) * rw + x];
                        }
                    }
                }
            }
        }
        int plane = outH * outW;
        for (int c = 0; c < outChannels; c++) {
            for (int i = 0; i < plane; i++) out[c * plane + i] /= weightSum[i];
        }
        return out;
    }

    /** Tile starts covering [0, length): stride tile − overlap, the last tile flush with the end. */
    static List<Integer> starts(int length, int tile, int overlap) {
        List<Integer> out = new ArrayList<>();
        if (length <= tile) {
            out.add(0);
            return out;
        }
        int stride = tile - overlap;
        for (int s = 0; ; s += stride) {
            if (s + tile >= length) {
                out.add(length - tile);
                break;
            }
            out.add(s);
        }
        return out;
    }

    /** Weights rising over {@code ramp} samples at sides that meet another tile, 1 elsewhere; never 0. */
    private static float[] ramp(int n, boolean fadeIn, boolean fadeOut, int ramp) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            float v = 1f;
            if (ramp > 0 && fadeIn) v = Math.min(v, (i + 0.5f) / ramp);
            if (ramp > 0 && fadeOut) v = Math.min(v, (n - i - 0.5f) / ramp);
            w[i] = v;
        }
        return w;
    }
}
