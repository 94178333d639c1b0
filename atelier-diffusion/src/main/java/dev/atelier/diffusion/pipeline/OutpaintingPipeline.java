package dev.atelier.diffusion.pipeline;

import dev.atelier.core.restore.SeamRestoration;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outpainting on an inpainting model: the image is placed on a larger canvas whose new area is filled by replicating
 * the nearest edge pixel (so the VAE encoder sees the image's own colours rather than a grey frame), the new area plus
 * an overlap band into the original is repainted by {@link InpaintingPipeline}, and the seam is then restored with
 * {@link SeamRestoration} (colour statistics matched in a band, multi-band blend). Pixels of the original farther
 * than overlap + band from the seam come back exactly.
 */
public final class OutpaintingPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutpaintingPipeline.class);

    private final InpaintingPipeline inpainting;

    private OutpaintingPipeline(InpaintingPipeline inpainting) {
        this.inpainting = inpainting;
    }

    /** Opens an inpainting model for outpainting; a model of another kind is refused with an error that names it. */
    public static OutpaintingPipeline load(Path dir, PipelineSettings settings) {
        return new OutpaintingPipeline(InpaintingPipeline.load(dir, settings));
    }

    public PipelineDirectory directory() { return inpainting.directory(); }

    public SchedulerKind defaultScheduler() { return inpainting.defaultScheduler(); }

    /**
     * Extends {@code image} per {@code extension}, painting the new area per {@code request.prompt()}. The request's
     * size is the render size (normally the canvas's); the result has the canvas's size.
     *
     * @param restoration null to skip seam restoration (the inpainting feather only)
     * @throws GenerationCancelledException when {@code callback} returns false
     */
    public EditResult outpaint(BufferedImage image, OutpaintExtension extension, EditRequest request,
                               SeamRestoration restoration, StepCallback callback) {
        BufferedImage canvas = extendCanvas(image, extension);
        int w = canvas.getWidth();
        int h = canvas.getHeight();
        boolean[] repaint = extension.repaintMask(image.getWidth(), image.getHeight());
        EditResult painted = inpainting.inpaint(canvas, maskImage(repaint, w, h), request, callback);
        if (restoration == null) return painted;
        long start = System.nanoTime();
        BufferedImage restored = restoration.restore(canvas, painted.image(), repaint, InpaintingPipeline.FEATHER);
        log.debug("restored the outpainting seam of {}x{} in {} ms", w, h, (System.nanoTime() - start) / 1_000_000);
        return new EditResult(painted.request(), restored, painted.latents(), painted.timings());
    }

    /** The canvas: {@code image} at (left, top), the new area filled with the nearest edge pixel of the image. */
    public static BufferedImage extendCanvas(BufferedImage image, OutpaintExtension extension) {
        int iw = image.getWidth();
        int ih = image.getHeight();
        int w = extension.canvasWidth(iw);
        int h = extension.canvasHeight(ih);
        BufferedImage canvas = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            int sy = Math.clamp(y - extension.top(), 0, ih - 1);
            for (int x = 0; x < w; x++) {
                int sx = Math.clamp(x - extension.left(), 0, iw - 1);
                canvas.setRGB(x, y, image.getRGB(sx, sy) & 0xffffff);
            }
        }
        return canvas;
    }

    /** A white-on-black mask image of {@code repaint}. */
    static BufferedImage maskImage(boolean[] repaint, int w, int h) {
        BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) if (repaint[y * w + x]) mask.setRGB(x, y, 0xffffff);
        }
        return mask;
    }

    @Override
    public void close() {
        inpainting.close();
    }
}
