package dev.atelier.diffusion.pipeline;

import dev.atelier.core.image.ImageTensors;
import dev.atelier.core.image.Images;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.scheduler.Scheduler;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.diffusion.scheduler.Schedulers;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stable Diffusion text-to-image and image-to-image over ONNX Runtime sessions: SD 1.x (ε), SD 2.x (v-prediction,
 * from the scheduler config), SDXL (two text encoders, {@code text_embeds}, {@code time_ids}) and few-step LCM/Turbo
 * models (guidance off, or LCM's guidance embedding when the UNet takes {@code timestep_cond}). Classifier-free
 * guidance runs unconditional and conditional in one batched UNet call. A request with {@link RegionalPrompt regions}
 * is rendered in attention mode where the UNet's cross-attention can be rewritten ({@link RegionalAttention}: the
 * regions' prompts meet inside each attention block, one entry per guidance branch), else in latent mode: every
 * region prompt (and the base prompt) is a further entry of that batch, and the predictions are composed through
 * the region masks ({@link RegionalGuidance}). One generation at a time per instance.
 */
public final class StableDiffusionPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StableDiffusionPipeline.class);

    private final PipelineCore core;

    private StableDiffusionPipeline(PipelineDirectory directory, PipelineSettings settings) {
        this.core = new PipelineCore(directory, settings, PipelineKind.TEXT_TO_IMAGE, "generate");
    }

    /** Opens the pipeline in {@code dir}; every error names the missing file or mismatched input. */
    public static StableDiffusionPipeline load(Path dir, PipelineSettings settings) {
        return new StableDiffusionPipeline(PipelineDirectory.open(dir), settings);
    }

    public PipelineDirectory directory() { return core.directory; }

    /** The scheduler used when a request names none: the model's own, where Atelier has it. */
    public SchedulerKind defaultScheduler() {
        return core.defaultScheduler();
    }

    /** Steps and guidance for requests that name none, for this model. */
    public SamplingDefaults samplingDefaults() {
        return SamplingDefaults.forModel(core.directory.root(), hasGuidanceEmbedding());
    }

    /** Whether the UNet takes LCM's guidance embedding (then guidance is never classifier-free). */
    public boolean hasGuidanceEmbedding() { return core.unet.timestepCond != null; }

    public GenerationResult generate(GenerationRequest request) {
        return generate(request, StepCallback.NONE);
    }

    /**
     * Renders {@code request.batchSize()} images with seeds {@code seed … seed + batch − 1}; each image depends only
     * on the request and its own seed.
     *
     * @throws GenerationCancelledException when {@code callback} returns false
     */
    public synchronized GenerationResult generate(GenerationRequest request, StepCallback callback) {
        long start = System.nanoTime();
        long sessionNanosBefore = core.sessionNanos();
        long unetNanosBefore = core.unetNanos();
        SchedulerKind kind = request.scheduler() != null ? request.scheduler() : defaultScheduler();
        GenerationRequest resolved = request.withScheduler(kind).withNoise(request.noiseOrDefault());
        int latentHeight = request.height() / 8;
        int latentWidth = request.width() / 8;
        boolean cfg = request.guidanceScale() > 1 && !hasGuidanceEmbedding();
        int latentLength = VaeCodec.LATENT_CHANNELS * latentHeight * latentWidth;
        List<PipelineCore.SeedNoise> noises = new ArrayList<>();
        for (int i = 0; i < request.batchSize(); i++) noises.add(PipelineCore.SeedNoise.start(request.seed() + i, latentLength, resolved.noise()));

        // Text conditioning, once for the whole batch.
        Unet renderUnet = core.unet;
        UnetConditioning conditioning = UnetConditioning.NONE;
        Guidance guidance;
        Optional<Unet> attentionUnet = request.regions() == null ? Optional.empty() : regionalAttentionUnet(request.regions());
        if (attentionUnet.isPresent()) {
            RegionMasks masks = RegionMasks.of(request.regions().layout(), latentWidth, latentHeight);
            Scheduler schedule = Schedulers.create(kind, core.schedulerConfig);
            schedule.setTimesteps(request.steps());
            conditioning = new RegionalAttention(masks, request.regions().baseRatio(),
                    RegionalAttention.firstSteps(schedule.timesteps(), request.regions().regionalStepsOrDefault()));
            guidance = attentionGuidance(request, cfg);
            renderUnet = attentionUnet.get();
        } else {
            guidance = request.regions() != null
                    ? regionalGuidance(request, cfg, latentHeight, latentWidth) : plainGuidance(request, cfg);
        }
        long textDone = System.nanoTime();

        float[] initLatents = request.isImageToImage() ? encodeInitImage(request) : null;

        List<GeneratedImage> images = new ArrayList<>();
        long vaeNanos = 0;
        int unetRuns;
        try (GuidedUnet unet = renderUnet.bind(guidance, conditioning, latentHeight, latentWidth,
                request.height(), request.width(), request.guidanceScale())) {
            for (int i = 0; i < request.batchSize(); i++) {
                long seed = request.seed() + i;
                float[] latents = core.denoise(kind, request.steps(), noises.get(i), initLatents, request.strength(), unet,
                        new DenoisingLoop.Progress(i, request.batchSize(), latentHeight, latentWidth, core.preview, callback));
                long vaeStart = System.nanoTime();
                float[] pixels = core.decode(latents, latentHeight, latentWidth);
                BufferedImage image = ImageTensors.fromNchw(pixels, 0, request.height(), request.width());
                vaeNanos += System.nanoTime() - vaeStart;
                images.add(new GeneratedImage(image, seed, resolved.withSeed(seed).withBatchSize(1), latents));
            }
            unetRuns = unet.unetRuns();
        }
        long end = System.nanoTime();
        long denoising = end - textDone - vaeNanos;
        Timings timings = new Timings(end - start, textDone - start, denoising, vaeNanos,
                core.sessionNanos() - sessionNanosBefore, core.unetNanos() - unetNanosBefore, unetRuns);
        log.debug("generated {} image(s) in {} ms, overhead {}; denoising {} ms, inside the UNet {} ms over {} runs",
                images.size(), timings.total() / 1_000_000, String.format("%.2f%%", 100 * timings.overhead()),
                timings.denoising() / 1_000_000, timings.insideUnet() / 1_000_000, timings.unetRuns());
        return new GenerationResult(resolved, images, timings);
    }

    private float[] encodeInitImage(GenerationRequest request) {
        core.requireImageEncoder(() -> core.directory.root() + " has no vae_encoder/model.onnx, which image-to-image"
                + " (--init) needs; export the model with its VAE encoder or drop --init");
        BufferedImage init = Images.read(Path.of(request.initImage()));
        if (init.getWidth() != request.width() || init.getHeight() != request.height()) {
            init = resize(init, request.width(), request.height());
        }
        return core.encodeImage(ImageTensors.toNchw(init), request.height(), request.width());
    }

    static BufferedImage resize(BufferedImage image, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(image, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** SDXL models with force_zeros_for_empty_prompt condition a blank negative prompt on zeros. */
    private boolean zerosForBlankNegative(GenerationRequest request) {
        return core.prompts.isXl() && core.directory.forceZerosForEmptyPrompt() && request.negativePrompt().isBlank();
    }

    /** One prompt over the canvas: [cond], or [uncond, cond] under classifier-free guidance. */
    private Guidance plainGuidance(GenerationRequest request, boolean cfg) {
        PromptEncoder.Encoded cond = core.encode(request.prompt());
        if (!cfg) return ClassifierFreeGuidance.off(cond);
        boolean zeros = zerosForBlankNegative(request);
        PromptEncoder.Encoded uncond = zeros ? cond.zeros() : core.encode(request.negativePrompt());
        List<PromptEncoder.Encoded> both = PipelineCore.padToCommonLength(List.of(uncond, cond),
                () -> zeros ? cond.zeros() : core.encode(""));
        return ClassifierFreeGuidance.guided(both.get(0), both.get(1), request.guidanceScale(), request.guidanceRescale());
    }

    /** Latent mode: [uncond?, base?, region 0 … N−1], each prompt encoded on its own, padded to one chunk count. */
    private Guidance regionalGuidance(GenerationRequest request, boolean cfg, int latentHeight, int latentWidth) {
        RegionalPrompt regional = request.regions();
        RegionMasks masks = RegionMasks.of(regional.layout(), latentWidth, latentHeight);
        List<String> texts = new ArrayList<>();
        if (regional.usesBase()) texts.add(regional.basePrompt());
        texts.addAll(regional.layout().prompts());
        List<PromptEncoder.Encoded> conds = new ArrayList<>();
        for (String text : texts) conds.add(core.encode(text));
        PromptEncoder.Encoded longest = conds.getFirst();
        for (PromptEncoder.Encoded e : conds) if (e.chunks() > longest.chunks()) longest = e;
        List<PromptEncoder.Encoded> encoded = new ArrayList<>();
        if (cfg) encoded.add(zerosForBlankNegative(request) ? longest.zeros() : core.encode(request.negativePrompt()));
        encoded.addAll(conds);
        List<Guidance.Entry> entries = PipelineCore.padToCommonLength(encoded, () -> core.encode("")).stream()
                .map(Guidance.Entry::of).toList();
        return new RegionalGuidance(entries, masks, regional.usesBase() ? regional.baseRatio() : 0, cfg,
                request.guidanceScale(), request.guidanceRescale());
    }

    /** The rewritten UNet when {@code regions} render in attention mode; empty for latent mode. */
    private Optional<Unet> regionalAttentionUnet(RegionalPrompt regions) {
        RegionalMode mode = regions.modeOrDefault();
        if (mode == RegionalMode.LATENT) return Optional.empty();
        Optional<Unet> unet = core.regionalUnet();
        if (unet.isEmpty() && mode == RegionalMode.ATTENTION) {
            throw new AtelierException(core.regionalFallback().replace("; rendering regions in latent mode", "")
                    + "; use --regional-mode latent (or auto) for this model");
        }
        return unet;
    }

    /**
     * Why the last regional request rendered in latent mode although attention mode was allowed (the line that was
     * logged), or empty.
     */
    public Optional<String> regionalAttentionFallback() { return Optional.ofNullable(core.regionalFallback()); }

    /**
     * Attention mode: [uncond repeated G times?, base | region 0 | … | region N−1], one chunk count throughout. The
     * base prompt is the regions' prompts joined when the request has none: it gives the pooled embedding and the
     * steps after the regional fraction.
     */
    private Guidance attentionGuidance(GenerationRequest request, boolean cfg) {
        RegionalPrompt regional = request.regions();
        List<String> prompts = regional.layout().prompts();
        String base = regional.basePrompt() != null ? regional.basePrompt() : String.join(", ", prompts);
        List<PromptEncoder.Encoded> encoded = new ArrayList<>();
        encoded.add(core.encode(base));
        for (String text : prompts) encoded.add(core.encode(text));
        if (cfg) encoded.add(zerosForBlankNegative(request) ? encoded.getFirst().zeros() : core.encode(request.negativePrompt()));
        encoded = PipelineCore.padToCommonLength(encoded, () -> core.encode(""));
        int groups = 1 + prompts.size();
        PromptEncoder.Encoded cond = RegionalAttention.concatenate(encoded.subList(0, groups));
        if (!cfg) return ClassifierFreeGuidance.off(cond);
        PromptEncoder.Encoded uncond = RegionalAttention.repeated(encoded.get(groups), groups);
        return ClassifierFreeGuidance.guided(uncond, cond, request.guidanceScale(), request.guidanceRescale());
    }

    /** LCM's guidance-scale embedding: sinusoids of 1000·(w − 1) over {@code dim} frequencies (sin ‖ cos). */
    static float[] guidanceEmbedding(double guidance, int dim) {
        double w = (guidance - 1) * 1000;
        int half = dim / 2;
        double step = Math.log(10000.0) / (half - 1);
        float[] out = new float[dim];
        for (int i = 0; i < half; i++) {
            double arg = w * Math.exp(-step * i);
            out[i] = (float) Math.sin(arg);
            out[half + i] = (float) Math.cos(arg);
        }
        return out;
    }

    @Override
    public void close() {
        core.close();
    }
}
