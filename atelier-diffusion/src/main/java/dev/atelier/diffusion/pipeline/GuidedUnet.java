package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.BoundRun;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The UNet bound for one render: the guidance's batch entries split into runs as large as the UNet's batch allows,
 * each run's text states (and SDXL/LCM inputs) written once into native buffers that serve every step (and, through
 * {@link Unet#borrowRun}, the next render of the same shapes). The extra conditioning channels are written into the
 * sample buffers here, once; {@link #predict} then only writes the scaled latents into each entry, runs, and combines
 * into one buffer.
 */
final class GuidedUnet implements AutoCloseable {
    record ImageSize(int height, int width) {}

    /** One UNet run per step: {@code real} entries followed by repeats up to a fixed batch. */
    private record Run(BoundRun bound, BoundRun.InputBuffer sample, BoundRun.InputBuffer timestep,
                       BoundRun.OutputBuffer output, List<Guidance.Entry> entries, int real) {
        int slots() { return entries.size(); }
    }

    private final Guidance guidance;
    private final UnetConditioning conditioning;
    private final List<Run> runs = new ArrayList<>();
    private final Unet unet;
    private final List<BoundRun> borrowed = new ArrayList<>();
    private final int latentLength;
    private final int entryLength;
    private final float[] predictions;
    private final float[] guided;
    private int unetRuns;

    GuidedUnet(Unet unet, Guidance guidance, UnetConditioning conditioning, int latentHeight, int latentWidth,
               ImageSize size, double guidanceScale) {
        this.unet = unet;
        this.guidance = guidance;
        this.conditioning = conditioning;
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
        PromptEncoder.Encoded first = group.getFirst().text();
        int stateLength = first.tokens() * first.dim();
        Map<String, long[]> inputs = new HashMap<>();
        inputs.put("sample", new long[] {b, channels, latentHeight, latentWidth});
        inputs.put("timestep", unet.timestepShape(b));
        inputs.put("encoder_hidden_states", new long[] {b, first.tokens(), first.dim()});
        if (unet.takesTextEmbeds) {
            inputs.put("text_embeds", new long[] {b, first.pooled().length});
            inputs.put("time_ids", new long[] {b, 6});
        }
        int embeddingWidth = unet.timestepCond == null ? 0
                : unet.timestepCond.rank() == 2 && unet.timestepCond.isFixed(1) ? (int) unet.timestepCond.dim(1) : 256;
        if (unet.timestepCond != null) inputs.put("timestep_cond", new long[] {b, embeddingWidth});
        inputs.putAll(conditioning.inputs(b, latentHeight, latentWidth));
        BoundRun bound = unet.borrowRun(inputs, new long[] {b, VaeCodec.LATENT_CHANNELS, latentHeight, latentWidth});
        borrowed.add(bound);
        Run run = new Run(bound, bound.input("sample"), bound.input("timestep"), bound.output(unet.output),
                List.copyOf(group), real);

        // everything but the latents and the timestep is written once here and stays in native memory
        BoundRun.InputBuffer states = bound.input("encoder_hidden_states");
        for (int k = 0; k < b; k++) states.put(k * stateLength, group.get(k).text().states(), 0, stateLength);
        if (unet.takesTextEmbeds) {
            BoundRun.InputBuffer pooled = bound.input("text_embeds");
            int pooledLength = first.pooled().length;
            for (int k = 0; k < b; k++) pooled.put(k * pooledLength, group.get(k).text().pooled(), 0, pooledLength);
            float[] row = {size.height(), size.width(), 0, 0, size.height(), size.width()};
            BoundRun.InputBuffer timeIds = bound.input("time_ids");
            for (int k = 0; k < b; k++) timeIds.put(k * 6, row, 0, 6);
        }
        if (unet.timestepCond != null) {
            float[] w = StableDiffusionPipeline.guidanceEmbedding(guidanceScale, embeddingWidth);
            BoundRun.InputBuffer embedding = bound.input("timestep_cond");
            for (int k = 0; k < b; k++) embedding.put(k * embeddingWidth, w, 0, embeddingWidth);
        }
        if (conditioning.channels() > 0) {
            for (int k = 0; k < b; k++) {
                float[] extra = conditioning.channelsFor(group.get(k));
                if (extra.length != entryLength - latentLength) {
                    throw new AtelierException("the conditioning gives " + extra.length + " values per entry where the"
                            + " unet's sample has room for " + (entryLength - latentLength));
                }
                run.sample().put(k * entryLength + latentLength, extra, 0, extra.length);
            }
        }
        return run;
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
            conditioning.beforeRun(run.bound(), run.entries(), scaledLatents, timestep);
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

    /** Hands the bound buffers back to the UNet for the next render of the same shapes. */
    @Override
    public void close() {
        borrowed.forEach(unet::returnRun);
        borrowed.clear();
        runs.clear();
    }
}
