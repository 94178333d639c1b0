package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.BoundRun;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.TensorSpec;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The UNet session and what it declares: which inputs it takes (SDXL's {@code text_embeds}/{@code time_ids}, LCM's
 * {@code timestep_cond}), how many sample channels, how large a batch. {@link #check} refuses a UNet of another
 * kind with one message for every pipeline; {@link #bind} prepares the runs of one render.
 */
final class Unet {
    /** The most batch entries per UNet run: bounds activation memory when a layout has many regions. */
    static final int MAX_RUN_BATCH = 8;
    /** Distinct run shapes whose buffers are kept between renders (sizes, batch, prompt lengths). */
    private static final int KEPT_SHAPES = 4;
    private static final Set<String> TEXT_TO_IMAGE_INPUTS =
            Set.of("sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids", "timestep_cond");
    private static final Set<String> EDIT_INPUTS = Set.of("sample", "timestep", "encoder_hidden_states");

    final ModelSession session;
    final TensorSpec sample;
    final TensorSpec timestep;
    final TensorSpec states;
    /** LCM's guidance embedding input, or null. */
    final TensorSpec timestepCond;
    /** SDXL's pooled text embedding and size conditioning. */
    final boolean takesTextEmbeds;
    final String output;
    /** Bindings of earlier renders by their shapes, oldest shape first. */
    private final Map<String, Deque<BoundRun>> idleRuns = new LinkedHashMap<>();
    private final Map<BoundRun, String> keys = new IdentityHashMap<>();

    Unet(ModelSession session) {
        this.session = session;
        this.sample = session.requireInput("sample");
        this.timestep = session.requireInput("timestep");
        this.states = session.requireInput("encoder_hidden_states");
        this.timestepCond = session.input("timestep_cond").orElse(null);
        this.takesTextEmbeds = session.input("text_embeds").isPresent() && session.input("time_ids").isPresent();
        this.output = session.output("out_sample").map(TensorSpec::name)
                .orElseGet(() -> session.outputs().getFirst().name());
    }

    /**
     * Refuses a UNet that does not fit {@code kind} (inputs, channels, SDXL parts, text width) with a message naming
     * what it is; {@code command} is the user's word for the job ("generate", "edit", "inpaint").
     */
    void check(PipelineKind kind, String command, PipelineDirectory directory, int textStateDim) {
        Set<String> known = kind == PipelineKind.TEXT_TO_IMAGE ? TEXT_TO_IMAGE_INPUTS : EDIT_INPUTS;
        for (TensorSpec in : session.inputs()) {
            if (!known.contains(in.name())) {
                throw new AtelierException("unet takes an input Atelier does not provide: " + in.describe()
                        + " (known: " + known + "); " + command + " needs " + kind.description()
                        + " Stable Diffusion UNet");
            }
        }
        if (sample.rank() != 4) {
            throw new AtelierException("unet input 'sample' should be [batch, " + kind.unetChannels()
                    + ", height, width] but is " + sample);
        }
        PipelineKind declared = sample.isFixed(1) ? PipelineKind.ofChannels(sample.dim(1)) : PipelineKind.of(directory);
        if (declared != kind) {
            String actual = sample.isFixed(1) ? sample.dim(1) + " channels" : "a symbolic channel count";
            throw new AtelierException("unet input 'sample' takes " + actual + " but " + command + " needs "
                    + kind.description() + " UNet with " + kind.unetChannels() + " (" + layout(kind) + "); "
                    + (declared == null ? "this is not a Stable Diffusion UNet" : directory.root() + " holds "
                    + declared.description() + " model") + " — pick " + kind.description() + " model");
        }
        if (directory.isXl() && !takesTextEmbeds) {
            throw new AtelierException("the pipeline has two text encoders (SDXL) but its unet lacks the inputs"
                    + " 'text_embeds' and 'time_ids'; the components come from different models");
        }
        if (!directory.isXl() && takesTextEmbeds) {
            throw new AtelierException("unet takes SDXL's 'text_embeds' and 'time_ids' but the pipeline has one text"
                    + " encoder; the components come from different models");
        }
        if (states.rank() != 3) {
            throw new AtelierException("unet input 'encoder_hidden_states' should be [batch, tokens, dim] but is " + states);
        }
        if (textStateDim > 0 && states.isFixed(2) && states.dim(2) != textStateDim) {
            throw new AtelierException("the text encoder gives states of width " + textStateDim + " but unet expects "
                    + states.dim(2) + " in 'encoder_hidden_states'; the components come from different models");
        }
    }

    private static String layout(PipelineKind kind) {
        return switch (kind) {
            case TEXT_TO_IMAGE -> "the latents alone";
            case INSTRUCT_PIX2PIX -> "[latents ‖ image latents]";
            case INPAINTING -> "[latents ‖ mask ‖ masked-image latents]";
        };
    }

    /** Entries per run: the UNet's fixed batch, or as many as there are (up to {@value #MAX_RUN_BATCH}). */
    int runBatch(int entries) {
        return sample.isFixed(0) ? (int) sample.dim(0) : Math.min(entries, MAX_RUN_BATCH);
    }

    /** Length of the {@code timestep} input for a run of {@code batch}: a scalar, [1] (as optimum often exports) or [batch]. */
    long[] timestepShape(int batch) {
        if (timestep.rank() == 0) return new long[0];
        return new long[] {timestep.isFixed(0) ? timestep.dim(0) : batch};
    }

    /**
     * The runs of one render: the guidance's batch entries over the conditioning's extra channels, at latent size
     * {@code latentHeight × latentWidth}; {@code height}, {@code width} and {@code guidanceScale} feed SDXL's size
     * conditioning and LCM's guidance embedding where the UNet takes them.
     */
    GuidedUnet bind(Guidance guidance, UnetConditioning conditioning, int latentHeight, int latentWidth, int height,
                    int width, double guidanceScale) {
        return new GuidedUnet(this, guidance, conditioning, latentHeight, latentWidth,
                new GuidedUnet.ImageSize(height, width), guidanceScale);
    }

    long nanosInRuns() { return session.nanosInRuns(); }

    /**
     * Native buffers for a run with these input shapes and output shape: an idle binding of the same shapes when a
     * previous render returned one, else a new one. Every input is writable; the caller writes them all.
     */
    BoundRun borrowRun(Map<String, long[]> inputShapes, long[] outputShape) {
        String key = shapeKey(inputShapes, outputShape);
        Deque<BoundRun> free = idleRuns.get(key);
        if (free != null && !free.isEmpty()) return free.pop();
        BoundRun run = session.bind(inputShapes, Map.of(), Map.of(output, outputShape));
        keys.put(run, key);
        return run;
    }

    /** Keeps {@code run} for the next render of its shapes; a few shapes at most are kept, the rest closed. */
    void returnRun(BoundRun run) {
        String key = keys.get(run);
        if (!idleRuns.containsKey(key) && idleRuns.size() >= KEPT_SHAPES) {
            var oldest = idleRuns.entrySet().iterator().next();
            oldest.getValue().forEach(this::closeRun);
            idleRuns.remove(oldest.getKey());
        }
        idleRuns.computeIfAbsent(key, k -> new ArrayDeque<>()).push(run);
    }

    private void closeRun(BoundRun run) {
        keys.remove(run);
        run.close();
    }

    private static String shapeKey(Map<String, long[]> inputShapes, long[] outputShape) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(inputShapes).forEach((name, shape) -> b.append(name).append(Arrays.toString(shape)));
        return b.append("->").append(Arrays.toString(outputShape)).toString();
    }

    /** Closes the idle bindings; call before closing the session. */
    void close() {
        idleRuns.values().forEach(free -> free.forEach(this::closeRun));
        idleRuns.clear();
    }
}
