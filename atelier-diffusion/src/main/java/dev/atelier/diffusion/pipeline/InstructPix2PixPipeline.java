package dev.atelier.diffusion.pipeline;

import dev.atelier.core.image.ImageTensors;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InstructPix2Pix: edits an image from a written instruction. The UNet takes [noisy latents ‖ image latents]
 * (8 channels), the image latents being the VAE encoder's mode <em>without</em> the scaling factor. Guidance runs a
 * batch of three — (instruction, image), (negative, image), (negative, no image) — and combines
 * ε = ε_u + s_T(ε_text − ε_image) + s_I(ε_image − ε_u). One edit at a time per instance.
 */
public final class InstructPix2PixPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstructPix2PixPipeline.class);

    private final EditComponents parts;

    private InstructPix2PixPipeline(PipelineDirectory directory, PipelineSettings settings) {
        this.parts = new EditComponents(directory, settings, PipelineKind.INSTRUCT_PIX2PIX, "edit");
    }

    /** Opens an InstructPix2Pix pipeline; a model of another kind is refused with an error that names it. */
    public static InstructPix2PixPipeline load(Path dir, PipelineSettings settings) {
        return new InstructPix2PixPipeline(PipelineDirectory.open(dir), settings);
    }

    public PipelineDirectory directory() { return parts.directory; }

    public SchedulerKind defaultScheduler() { return parts.defaultScheduler(); }

    public EditResult edit(BufferedImage image, EditRequest request) {
        return edit(image, request, StepCallback.NONE);
    }

    /**
     * Edits {@code image} (resized to the request's size) per {@code request.prompt()}.
     *
     * @throws GenerationCancelledException when {@code callback} returns false
     */
    public synchronized EditResult edit(BufferedImage image, EditRequest request, StepCallback callback) {
        long start = System.nanoTime();
        long sessionsBefore = parts.sessionNanos();
        long unetBefore = parts.unet.nanosInRuns();
        SchedulerKind kind = request.scheduler() != null ? request.scheduler() : parts.defaultScheduler();
        int lh = request.height() / 8;
        int lw = request.width() / 8;
        // diffusers' rule: the three-way guidance runs when the text scale exceeds 1 and the image scale is at least 1
        boolean guided = request.guidanceScale() > 1 && request.imageGuidanceScale() >= 1;

        var texts = parts.encode(request.prompt(), request.negativePrompt());
        PromptEncoder.Encoded text = texts.get(0);
        PromptEncoder.Encoded negative = texts.get(1);
        long textDone = System.nanoTime();

        long vaeStart = System.nanoTime();
        float[] imageLatents = parts.vae.encode(EditComponents.pixels(image, request.width(), request.height()),
                request.height(), request.width());
        float inverse = (float) (1 / parts.directory.scalingFactor());
        for (int i = 0; i < imageLatents.length; i++) imageLatents[i] *= inverse; // the UNet was trained on unscaled ones
        long encodeNanos = System.nanoTime() - vaeStart;
        float[] noImage = new float[imageLatents.length];

        int tokens = text.tokens();
        int dim = text.dim();
        float[] allStates = guided ? concat(text.states(), negative.states(), negative.states()) : text.states();
        int[] runs = {0};
        EditComponents.NoisePrediction model = (latents, t) -> {
            if (!guided) {
                runs[0]++;
                return parts.runUnet(parts.stack(latents, imageLatents), 1, lh, lw, t, text.states(), tokens, dim);
            }
            float[] all;
            if (parts.unetTakesOneAtATime()) {
                float[] a = parts.runUnet(parts.stack(latents, imageLatents), 1, lh, lw, t, text.states(), tokens, dim);
                float[] b = parts.runUnet(parts.stack(latents, imageLatents), 1, lh, lw, t, negative.states(), tokens, dim);
                float[] c = parts.runUnet(parts.stack(latents, noImage), 1, lh, lw, t, negative.states(), tokens, dim);
                runs[0] += 3;
                all = concat(a, b, c);
            } else {
                runs[0]++;
                all = parts.runUnet(parts.stack(latents, imageLatents, imageLatents, noImage), 3, lh, lw, t, allStates,
                        tokens, dim);
            }
            return combine(all, request.guidanceScale(), request.imageGuidanceScale());
        };
        float[] latents = parts.denoise(request, kind, lh, lw, model, callback);

        long decodeStart = System.nanoTime();
        float[] pixels = parts.vae.decode(latents, lh, lw);
        BufferedImage out = ImageTensors.fromNchw(pixels, 0, request.height(), request.width());
        long end = System.nanoTime();
        long vaeNanos = encodeNanos + (end - decodeStart);
        Timings timings = new Timings(end - start, textDone - start, decodeStart - vaeStart - encodeNanos, vaeNanos,
                parts.sessionNanos() - sessionsBefore, parts.unet.nanosInRuns() - unetBefore, runs[0]);
        log.debug("edited {}x{} in {} ms", request.width(), request.height(), timings.total() / 1_000_000);
        return new EditResult(request.withScheduler(kind), out, latents, timings);
    }

    /**
     * InstructPix2Pix guidance over a batched prediction [ε_text ‖ ε_image ‖ ε_uncond]:
     * ε_u + s_T(ε_text − ε_image) + s_I(ε_image − ε_u).
     */
    static float[] combine(float[] batched, double textScale, double imageScale) {
        int n = batched.length / 3;
        float[] out = new float[n];
        float st = (float) textScale;
        float si = (float) imageScale;
        for (int i = 0; i < n; i++) {
            float text = batched[i];
            float image = batched[n + i];
            float uncond = batched[2 * n + i];
            out[i] = uncond + st * (text - image) + si * (image - uncond);
        }
        return out;
    }

    private static float[] concat(float[]... parts) {
        int length = 0;
        for (float[] p : parts) length += p.length;
        float[] out = new float[length];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Override
    public void close() {
        parts.close();
    }
}
