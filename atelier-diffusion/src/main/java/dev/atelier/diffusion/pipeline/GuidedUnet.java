package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.BoundRun;
import dev.atelier.diffusion.onnx.PreparedInput;
import dev.atelier.diffusion.onnx.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The UNet bound for one render: the guidance's batch entries split into runs as large as the UNet's batch allows,
 * each run's text states (and SDXL/LCM inputs) held in native memory for every step, and its sample, timestep and
 * output buffers allocated once. The extra conditioning channels are written into the sample buffers here, once;
 * {@link #predict} then only writes the scaled latents into each entry, runs, and combines into one buffer.
 */
final class GuidedUnet implements AutoCloseable {
    record ImageSize(int height, int width) {}

    /** One UNet run per step: {@code real} entries followed by repeats up to a fixed batch. */
    private record Run(BoundRun bound, BoundRun.InputBuffer sample, BoundRun.InputBuffer timestep,
                       BoundRun.OutputBuffer output, int slots, int real) {}

    private final Guidance guidance;
    private final List<Run> runs = new ArrayList<>();
    private final List<PreparedInput> prepared = new ArrayList<>();
    private final int latentLength;
    private final int entryLength;
    private final float[] predictions;
    private final float[] guided;
    private int unetRuns;

    GuidedUnet(Unet unet, Guidance guidance, UnetConditioning conditioning, int latentHeight, int latentWidth,
               ImageSize size, double guidanceScale) {
        this.guidance = guidance;
        int plane = latentHeight * latentWidth;
        int channels = VaeCodec.LATENT_CHANNELS + conditioning.channels();
        this.latentLength = VaeCodec.LATENT_CHANNELS * plane;
        this.entryLength = channels * plane;
        List<Guidance.Entry> entries = guidance.entries();
        this.predictions = new float[entries.size() * latentLength];
        this.guided = new float[latentLength];
        int runBatch = unet.runBatch(entries.size());
        try {
            for (int from = 0; from < entries.size(); from += runBatch) {
                List<Guidance.Entry> group = new ArrayList<>(entries.subList(from, Math.min(entries.size(), from + runBatch)));
                int real = group.size();
                if (unet.sample.isFixed(0)) while (group.size() < runBatch) group.add(group.getLast());
                runs.add(bindRun(unet, group, real, conditioning, channels, latentHeight, latentWidth, size, guidanceScale));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Run bindRun(Unet unet, List<Guidance.Entry> group, int real, UnetConditioning conditioning, int channels,
                        int latentHeight, int latentWidth, ImageSize size, double guidanceScale) {
        int b = group.size();
        Map<String, PreparedInput> fixed = new HashMap<>();
        int tokens = group.getFirst().text().tokens();
        int dim = group.getFirst().text().dim();
        float[] states = new float[b * tokens * dim];
        for (int k = 0; k < b; k++) System.arraycopy(group.get(k).text().states(), 0, states, k * tokens * dim, tokens * dim);
        fixed.put("encoder_hidden_states", prepare(unet, "encoder_hidden_states", Tensor.of(states, b, tokens, dim)));
        if (unet.takesTextEmbeds) {
            int pooledDim = group.getFirst().text().pooled().length;
            float[] pooled = new float[b * pooledDim];
            for (int k = 0; k < b; k++) System.arraycopy(group.get(k).text().pooled(), 0, pooled, k * pooledDim, pooledDim);
            fixed.put("text_embeds", prepare(unet, "text_embeds", Tensor.of(pooled, b, pooledDim)));
            float[] timeIds = new float[b * 6];
            float[] row = {size.height(), size.width(), 0, 0, size.height(), size.width()};
            for (int k = 0; k < b; k++) System.arraycopy(row, 0, timeIds, k * 6, 6);
            fixed.put("time_ids", prepare(unet, "time_ids", Tensor.of(timeIds, b, 6)));
        }
        if (unet.timestepCond != null) {
            int width = unet.timestepCond.rank() == 2 && unet.timestepCond.isFixed(1) ? (int) unet.timestepCond.dim(1) : 256;
            float[] w = StableDiffusionPipeline.guidanceEmbedding(guidanceScale, width);
            float[] all = new float[b * width];
            for (int k = 0; k < b; k++) System.arraycopy(w, 0, all, k * width, width);
            fixed.put("timestep_cond", prepare(unet, "timestep_cond", Tensor.of(all, b, width)));
        }
        BoundRun bound = unet.session.bind(
                Map.of("sample", new long[] {b, channels, latentHeight, latentWidth}, "timestep", unet.timestepShape(b)),
                fixed, Map.of(unet.output, new long[] {b, VaeCodec.LATENT_CHANNELS, latentHeight, latentWidth}));
        Run run = new Run(bound, bound.input("sample"), bound.input("timestep"), bound.output(unet.output), b, real);
        if (conditioning.channels() > 0) {
            for (int k = 0; k < b; k++) {
                float[] extra = conditioning.channelsFor(group.get(k));
                if (extra.length != entryLength - latentLength) {
                    bound.close();
                    throw new AtelierException("the conditioning gives " + extra.length + " values per entry where the"
                            + " unet's sample has room for " + (entryLength - latentLength));
                }
                run.sample().put(k * entryLength + latentLength, extra, 0, extra.length);
            }
        }
        return run;
    }

    private PreparedInput prepare(Unet unet, String name, Tensor tensor) {
        PreparedInput p = unet.session.prepare(name, tensor);
        prepared.add(p);
        return p;
    }

    /**
     * The guided noise prediction for the scaled latents at {@code timestep}. The returned array is this instance's
     * and is overwritten by the next call: a scheduler reads it during its step and keeps no reference.
     */
    float[] predict(float[] scaledLatents, double timestep) {
        int at = 0;
        for (Run run : runs) {
            for (int k = 0; k < run.slots(); k++) run.sample().put(k * entryLength, scaledLatents, 0, latentLength);
            run.timestep().fill((float) timestep);
            run.bound().run();
            unetRuns++;
            run.output().get(0, predictions, at, run.real() * latentLength);
            at += run.real() * latentLength;
        }
        guidance.combineInto(predictions, latentLength, guided);
        return guided;
    }

    /** UNet runs made so far. */
    int unetRuns() { return unetRuns; }

    @Override
    public void close() {
        runs.forEach(r -> r.bound().close());
        runs.clear();
        prepared.forEach(PreparedInput::close);
        prepared.clear();
    }
}
