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

    private final PipelineCore core;

    private InstructPix2PixPipeline(PipelineDirectory directory, PipelineSettings settings) {
        this.core = new PipelineCore(directory, settings, PipelineKind.INSTRUCT_PIX2PIX, "edit");
    }

    /** Opens an InstructPix2Pix pipeline; a model of another kind is refused with an error that names it. */
    public static InstructPix2PixPipeline load(Path dir, PipelineSettings settings) {
        return new InstructPix2PixPipeline(PipelineDirectory.open(dir), settings);
    }

    public PipelineDirectory directory() { return core.directory; }

    public SchedulerKind defaultScheduler() { return core.defaultScheduler(); }

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
        long sessionsBefore = core.sessionNanos();
        long unetBefore = core.unetNanos();
        SchedulerKind kind = request.scheduler() != null ? request.scheduler() : core.defaultScheduler();
        int lh = request.height() / 8;
        int lw = request.width() / 8;
        PipelineCore.SeedNoise noise = PipelineCore.SeedNoise.start(request.seed(), VaeCodec.LATENT_CHANNELS * lh * lw);
        // diffusers' rule: the three-way guidance runs when the text scale exceeds 1 and the image scale is at least 1
        boolean guided = request.guidanceScale() > 1 && request.imageGuidanceScale() >= 1;

        var texts = core.encodeAll(request.prompt(), request.negativePrompt());
        Guidance guidance = guided
                ? InstructPix2PixGuidance.guided(texts.get(0), texts.get(1), request.guidanceScale(), request.imageGuidanceScale())
                : InstructPix2PixGuidance.off(texts.get(0));
        long textDone = System.nanoTime();

        long vaeStart = System.nanoTime();
        float[] imageLatents = core.encodeImage(EditImages.pixels(image, request.width(), request.height()),
                request.height(), request.width());
        float inverse = (float) (1 / core.directory.scalingFactor());
        for (int i = 0; i < imageLatents.length; i++) imageLatents[i] *= inverse; // the UNet was trained on unscaled ones
        long encodeNanos = System.nanoTime() - vaeStart;

        float[] latents;
        int unetRuns;
        try (GuidedUnet unet = core.bindUnet(guidance, new ImageLatentsConditioning(imageLatents), lh, lw,
                request.height(), request.width(), request.guidanceScale())) {
            latents = core.denoise(kind, request.steps(), noise, null, 0, unet,
                    new DenoisingLoop.Progress(0, 1, lh, lw, core.preview, callback));
            unetRuns = unet.unetRuns();
        }

        long decodeStart = System.nanoTime();
        float[] pixels = core.decode(latents, lh, lw);
        BufferedImage out = ImageTensors.fromNchw(pixels, 0, request.height(), request.width());
        long end = System.nanoTime();
        long vaeNanos = encodeNanos + (end - decodeStart);
        Timings timings = new Timings(end - start, textDone - start, decodeStart - vaeStart - encodeNanos, vaeNanos,
                core.sessionNanos() - sessionsBefore, core.unetNanos() - unetBefore, unetRuns);
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
        InstructPix2PixGuidance.combine(batched, n, (float) textScale, (float) imageScale, out);
        return out;
    }

    @Override
    public void close() {
        core.close();
    }
}
