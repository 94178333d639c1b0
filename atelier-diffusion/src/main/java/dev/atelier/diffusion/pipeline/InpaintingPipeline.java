package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.ImageTensors;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inpainting with an inpainting UNet: input [latents ‖ mask ‖ masked-image latents] (9 channels), the mask (1 =
 * repaint) at latent size and the masked image (repainted pixels grey) encoded and scaled like any latents. Guidance
 * is classifier-free as in text-to-image. After decoding, the original pixels are pasted back outside the mask with
 * a {@value #FEATHER}-pixel feather inside its edge, so the unmasked area is exactly the input.
 */
public final class InpaintingPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InpaintingPipeline.class);
    /** Pixels over which the repainted area fades into the original, inside the mask's edge. */
    public static final int FEATHER = 4;

    private final PipelineCore core;

    private InpaintingPipeline(PipelineDirectory directory, PipelineSettings settings) {
        this.core = new PipelineCore(directory, settings, PipelineKind.INPAINTING, "inpaint");
    }

    /** Opens an inpainting pipeline; a model of another kind is refused with an error that names it. */
    public static InpaintingPipeline load(Path dir, PipelineSettings settings) {
        return new InpaintingPipeline(PipelineDirectory.open(dir), settings);
    }

    public PipelineDirectory directory() { return core.directory; }

    public SchedulerKind defaultScheduler() { return core.defaultScheduler(); }

    public EditResult inpaint(BufferedImage image, BufferedImage mask, EditRequest request) {
        return inpaint(image, mask, request, StepCallback.NONE);
    }

    /**
     * Repaints the white part of {@code mask} in {@code image} per {@code request.prompt()}. The model runs at the
     * request's size; the result has the input's size, and outside the mask it is the input pixel for pixel.
     *
     * @throws GenerationCancelledException when {@code callback} returns false
     */
    public synchronized EditResult inpaint(BufferedImage image, BufferedImage mask, EditRequest request,
                                           StepCallback callback) {
        if (mask.getWidth() * image.getHeight() != mask.getHeight() * image.getWidth()) {
            throw new AtelierException("the mask is " + mask.getWidth() + "x" + mask.getHeight() + " but the image is "
                    + image.getWidth() + "x" + image.getHeight() + "; draw the mask at the image's size");
        }
        long start = System.nanoTime();
        long sessionsBefore = core.sessionNanos();
        long unetBefore = core.unetNanos();
        SchedulerKind kind = request.scheduler() != null ? request.scheduler() : core.defaultScheduler();
        int width = request.width();
        int height = request.height();
        int lh = height / 8;
        int lw = width / 8;
        PipelineCore.SeedNoise noise = PipelineCore.SeedNoise.start(request.seed(), VaeCodec.LATENT_CHANNELS * lh * lw);
        boolean cfg = request.guidanceScale() > 1;

        var texts = core.encodeAll(request.prompt(), request.negativePrompt());
        Guidance guidance = cfg ? ClassifierFreeGuidance.guided(texts.get(1), texts.get(0), request.guidanceScale(), 0)
                : ClassifierFreeGuidance.off(texts.get(0));
        long textDone = System.nanoTime();

        BufferedImage original = EditImages.fit(image, width, height);
        InpaintMask repaint = InpaintMask.of(mask, width, height);
        boolean resized = image.getWidth() != width || image.getHeight() != height;
        InpaintMask fullSize = resized ? InpaintMask.of(mask, image.getWidth(), image.getHeight()) : repaint;
        long vaeStart = System.nanoTime();
        float[] maskedLatents = core.encodeImage(repaint.maskOut(ImageTensors.toNchw(original)), height, width);
        long encodeNanos = System.nanoTime() - vaeStart;

        float[] latents;
        int unetRuns;
        try (GuidedUnet unet = core.bindUnet(guidance, new MaskedImageConditioning(repaint.latent(), maskedLatents),
                lh, lw, height, width, request.guidanceScale())) {
            latents = core.denoise(kind, request.steps(), noise, null, 0, unet,
                    new DenoisingLoop.Progress(0, 1, lh, lw, core.preview, callback));
            unetRuns = unet.unetRuns();
        }

        long decodeStart = System.nanoTime();
        BufferedImage generated = ImageTensors.fromNchw(core.decode(latents, lh, lw), 0, height, width);
        // pasted at the input's own size, so the kept pixels are the input's even when it was resized to render
        BufferedImage out = fullSize == repaint ? repaint.paste(generated, original, FEATHER)
                : fullSize.paste(EditImages.fit(generated, image.getWidth(), image.getHeight()), image, FEATHER);
        long end = System.nanoTime();
        Timings timings = new Timings(end - start, textDone - start, decodeStart - vaeStart - encodeNanos,
                encodeNanos + (end - decodeStart), core.sessionNanos() - sessionsBefore,
                core.unetNanos() - unetBefore, unetRuns);
        log.debug("inpainted {}x{} in {} ms", width, height, timings.total() / 1_000_000);
        return new EditResult(request.withScheduler(kind), out, latents, timings);
    }

    @Override
    public void close() {
        core.close();
    }
}
