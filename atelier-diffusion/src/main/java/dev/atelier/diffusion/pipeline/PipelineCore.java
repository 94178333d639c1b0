package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.noise.TorchCpuGenerator;
import dev.atelier.diffusion.scheduler.NoiseSource;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.scheduler.Scheduler;
import dev.atelier.diffusion.scheduler.SchedulerConfig;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.diffusion.scheduler.Schedulers;
import dev.atelier.diffusion.regional.RegionalUnets;
import dev.atelier.diffusion.tokenizer.ClipTokenizer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The sessions of one Stable Diffusion pipeline and the steps every kind of rendering is composed of: encode
 * prompts, prepare latents, denoise with a {@link Guidance} and a {@link UnetConditioning} in the one
 * {@link DenoisingLoop}, decode. The public pipelines (text-to-image, InstructPix2Pix, inpainting, outpainting) only
 * choose the guidance and the conditioning; the schedulers are pure math and run no model.
 */
final class PipelineCore implements AutoCloseable {
    final PipelineDirectory directory;
    final PromptEncoder prompts;
    final Unet unet;
    final SchedulerConfig schedulerConfig;
    final LatentPreview preview;
    private final PipelineSettings settings;
    private final SessionGroup sessions = new SessionGroup();
    private final ModelSession vaeDecoder;
    private VaeCodec vae;
    /** The UNet rewritten for attention-mode regions, opened on the first regional render that can use it. */
    private Unet regionalUnet;
    private String regionalFallback;

    /**
     * Opens every session {@code kind} needs; {@code command} is the user's word for the job, for messages. Edit
     * kinds need the VAE encoder at once; text-to-image opens it on the first image-to-image request.
     */
    PipelineCore(PipelineDirectory directory, PipelineSettings settings, PipelineKind kind, String command) {
        this.directory = directory;
        this.settings = settings;
        boolean edit = kind != PipelineKind.TEXT_TO_IMAGE;
        try {
            if (edit && directory.isXl()) {
                throw new AtelierException(directory.root() + " is an SDXL pipeline; " + command + " supports SD 1.x/2.x "
                        + kind.description() + " models only — pick such a model");
            }
            Path encoderFile = !edit ? null : directory.vaeEncoder().orElseThrow(() -> new AtelierException(
                    directory.root() + " has no vae_encoder/model.onnx, which " + command + " needs to read the image;"
                            + " export the model with its VAE encoder"));
            // every session at once, in a fixed order for deterministic errors; the tokenizers load meanwhile
            List<SessionGroup.Component> components = new ArrayList<>();
            components.add(new SessionGroup.Component("text_encoder", directory.textEncoder()));
            if (directory.isXl()) components.add(new SessionGroup.Component("text_encoder_2", directory.textEncoder2()));
            components.add(new SessionGroup.Component("unet", directory.unet()));
            components.add(new SessionGroup.Component("vae_decoder", directory.vaeDecoder()));
            if (encoderFile != null) components.add(new SessionGroup.Component("vae_encoder", encoderFile));
            if (settings.taesdDecoder() != null) {
                components.add(new SessionGroup.Component("taesd_decoder", settings.taesdDecoder()));
            }
            ClipTokenizer[] tokenizers = new ClipTokenizer[2];
            Map<String, ModelSession> opened = sessions.openAll(components, settings.sessions(), () -> {
                tokenizers[0] = ClipTokenizer.fromHuggingFaceDir(directory.tokenizer());
                if (directory.isXl()) tokenizers[1] = ClipTokenizer.fromHuggingFaceDir(directory.tokenizer2());
            });
            this.prompts = new PromptEncoder(tokenizers[0], opened.get("text_encoder"), tokenizers[1],
                    opened.get("text_encoder_2"));
            this.unet = new Unet(opened.get("unet"));
            unet.check(kind, command, directory, prompts.stateDim());
            this.vaeDecoder = opened.get("vae_decoder");
            this.vae = new VaeCodec(vaeDecoder, opened.get("vae_encoder"), directory.scalingFactor(), settings.vaeTiling());
            this.schedulerConfig = directory.schedulerConfig();
            this.preview = settings.taesdDecoder() == null ? LinearLatentPreview.forModel(directory.isXl())
                    : new TaesdPreview(opened.get("taesd_decoder"));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private ModelSession open(String name, Path file) {
        return sessions.open(name, file, settings.sessions());
    }

    /** The scheduler used when a request names none: the model's own, where Atelier has it. */
    SchedulerKind defaultScheduler() {
        return directory.defaultScheduler();
    }

    // --- step 1: prompts ---

    PromptEncoder.Encoded encode(String prompt) {
        return prompts.encode(prompt);
    }

    /**
     * The encodings padded to the longest one's chunk count with copies of {@code emptyChunk} (asked for only when
     * some encoding is shorter), so that they batch together.
     */
    static List<PromptEncoder.Encoded> padToCommonLength(List<PromptEncoder.Encoded> encodings,
                                                          Supplier<PromptEncoder.Encoded> emptyChunk) {
        int chunks = encodings.stream().mapToInt(PromptEncoder.Encoded::chunks).max().orElseThrow();
        if (encodings.stream().allMatch(e -> e.chunks() == chunks)) return encodings;
        PromptEncoder.Encoded empty = emptyChunk.get();
        List<PromptEncoder.Encoded> out = new ArrayList<>(encodings);
        out.replaceAll(e -> e.padded(chunks, empty));
        return out;
    }

    /** Each prompt encoded, padded with the empty prompt to one chunk count. */
    List<PromptEncoder.Encoded> encodeAll(String... texts) {
        List<PromptEncoder.Encoded> out = new ArrayList<>();
        for (String t : texts) out.add(prompts.encode(t));
        return padToCommonLength(out, () -> prompts.encode(""));
    }

    // --- the input image's latents (image-to-image, edits) ---

    /** Opens the VAE encoder if it is not yet; {@code whenMissing} is the error when the pipeline has none. */
    void requireImageEncoder(Supplier<String> whenMissing) {
        if (vae.canEncode()) return;
        Path encoderFile = directory.vaeEncoder().orElseThrow(() -> new AtelierException(whenMissing.get()));
        vae = new VaeCodec(vaeDecoder, open("vae_encoder", encoderFile), directory.scalingFactor(), settings.vaeTiling());
    }

    /** The VAE encoder's (scaled) latents of {@code pixels} [3, h, w] in [−1, 1]. */
    float[] encodeImage(float[] pixels, int height, int width) {
        return vae.encode(pixels, height, width);
    }

    // --- step 2: latents, and step 3: the denoising loop ---

    /** The UNet bound for one render of the guidance's batch over the conditioning's extra channels. */
    GuidedUnet bindUnet(Guidance guidance, UnetConditioning conditioning, int latentHeight, int latentWidth, int height,
                        int width, double guidanceScale) {
        return unet.bind(guidance, conditioning, latentHeight, latentWidth, height, width, guidanceScale);
    }

    /**
     * A seed's noise source whose first draw (the initial latents' noise, most of the pipeline's own time per
     * render) runs on another thread from the start of a render, so that it overlaps the prompt encoding.
     */
    record SeedNoise(NoiseSource source, CompletableFuture<float[]> firstDraw) {
        static SeedNoise start(long seed, int latentLength) {
            return start(seed, latentLength, NoiseKind.ATELIER);
        }

        /** The seed's generator of the requested kind (torch's CPU generator, or Atelier's own). */
        static SeedNoise start(long seed, int latentLength, NoiseKind kind) {
            NoiseSource source = kind == NoiseKind.TORCH_CPU ? new TorchCpuGenerator(seed) : new SeededNoise(seed);
            return new SeedNoise(source, CompletableFuture.supplyAsync(() -> source.gaussian(latentLength)));
        }
    }

    /**
     * One image's latents from its seed: pure noise at the scheduler's initial sigma, or (image-to-image) the
     * {@code initLatents} noised to the step {@code strength} leaves, denoised to the end of a {@code steps}-step
     * schedule of {@code kind}.
     *
     * @throws GenerationCancelledException when the callback returns false
     */
    float[] denoise(SchedulerKind kind, int steps, SeedNoise seedNoise, float[] initLatents, double strength,
                    GuidedUnet unet, DenoisingLoop.Progress progress) {
        float[] firstDraw = seedNoise.firstDraw().join(); // the source continues after it, for ancestral samplers
        NoiseSource noise = seedNoise.source();
        Scheduler scheduler = Schedulers.create(kind, schedulerConfig);
        scheduler.setTimesteps(steps);
        int first = 0;
        float[] latents;
        if (initLatents != null) {
            int total = scheduler.timesteps().length;
            int initSteps = Math.min((int) (total * strength), total);
            first = total - initSteps;
            // no step to run when strength leaves none: the draw then goes unused, as nothing draws after it
            latents = initSteps == 0 ? initLatents.clone() : scheduler.addNoise(initLatents, firstDraw, first);
        } else {
            latents = firstDraw;
            float sigma = (float) scheduler.initNoiseSigma();
            if (sigma != 1f) for (int i = 0; i < latents.length; i++) latents[i] *= sigma;
        }
        return DenoisingLoop.run(scheduler, first, latents, noise, unet, progress);
    }

    /**
     * The UNet whose cross-attention renders regions in one pass ({@link RegionalAttention}), rewritten (or found
     * cached) and opened on first use; empty when the rewrite does not apply, {@link #regionalFallback} then says why.
     */
    Optional<Unet> regionalUnet() {
        if (regionalUnet == null && regionalFallback == null) {
            RegionalUnets.Prepared prepared = RegionalUnets.prepare(directory.unet());
            if (!prepared.rewritten()) {
                regionalFallback = prepared.fallback();
            } else {
                try {
                    regionalUnet = new Unet(open("unet_regional", prepared.file()));
                } catch (RuntimeException e) {
                    regionalFallback = "regional attention: ONNX Runtime refused the rewritten UNet " + prepared.file()
                            + " (" + e.getMessage() + "); rendering regions in latent mode";
                    org.slf4j.LoggerFactory.getLogger(PipelineCore.class).info(regionalFallback);
                }
            }
        }
        return Optional.ofNullable(regionalUnet);
    }

    /** Why regions render in latent mode although attention mode was asked for, or null. */
    String regionalFallback() { return regionalFallback; }

    // --- step 4: decode ---

    float[] decode(float[] latents, int latentHeight, int latentWidth) {
        return vae.decode(latents, latentHeight, latentWidth);
    }

    /** Time inside every session's runs so far. */
    long sessionNanos() { return sessions.nanosInRuns(); }

    long unetNanos() { return unet.nanosInRuns() + (regionalUnet == null ? 0 : regionalUnet.nanosInRuns()); }

    @Override
    public void close() {
        if (unet != null) unet.close();
        if (regionalUnet != null) regionalUnet.close();
        sessions.close();
    }
}
