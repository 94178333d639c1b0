package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.ImageTensors;
import dev.atelier.core.image.Images;
import dev.atelier.diffusion.noise.NoiseKind;
import dev.atelier.diffusion.noise.TorchCpuGenerator;
import dev.atelier.diffusion.onnx.Feed;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.PreparedInput;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.diffusion.onnx.TensorSpec;
import dev.atelier.diffusion.scheduler.NoiseSource;
import dev.atelier.diffusion.scheduler.Scheduler;
import dev.atelier.diffusion.scheduler.SchedulerConfig;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.diffusion.scheduler.Schedulers;
import dev.atelier.diffusion.tokenizer.ClipTokenizer;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stable Diffusion text-to-image and image-to-image over ONNX Runtime sessions: SD 1.x (ε), SD 2.x (v-prediction,
 * from the scheduler config), SDXL (two text encoders, {@code text_embeds}, {@code time_ids}) and few-step LCM/Turbo
 * models (guidance off, or LCM's guidance embedding when the UNet takes {@code timestep_cond}). Classifier-free
 * guidance runs unconditional and conditional in one batched UNet call. A request with {@link RegionalPrompt regions}
 * is rendered in latent mode: every region prompt (and the base prompt) is a further entry of that batch, and the
 * predictions are composed through the region masks ({@link RegionalGuidance}). One generation at a time per instance.
 */
public final class StableDiffusionPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StableDiffusionPipeline.class);
    /** The most conditioning entries per UNet run: bounds activation memory when a layout has many regions. */
    static final int MAX_RUN_BATCH = 8;
    private static final Set<String> KNOWN_UNET_INPUTS =
            Set.of("sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids", "timestep_cond");

    private final PipelineDirectory directory;
    private final PipelineSettings settings;
    private final SessionGroup sessions = new SessionGroup();
    private final PromptEncoder prompts;
    private final ModelSession unet;
    private final String unetOutput;
    private final TensorSpec sampleSpec;
    private final TensorSpec timestepSpec;
    private final TensorSpec timestepCondSpec;
    private final ModelSession vaeDecoder;
    private ModelSession vaeEncoder;
    private VaeCodec vae;
    private final SchedulerConfig schedulerConfig;
    private final LatentPreview preview;

    private StableDiffusionPipeline(PipelineDirectory directory, PipelineSettings settings) {
        this.directory = directory;
        this.settings = settings;
        try {
            ClipTokenizer tokenizer = ClipTokenizer.fromHuggingFaceDir(directory.tokenizer());
            ModelSession textEncoder = open("text_encoder", directory.textEncoder());
            ClipTokenizer tokenizer2 = null;
            ModelSession textEncoder2 = null;
            if (directory.isXl()) {
                tokenizer2 = ClipTokenizer.fromHuggingFaceDir(directory.tokenizer2());
                textEncoder2 = open("text_encoder_2", directory.textEncoder2());
            }
            this.prompts = new PromptEncoder(tokenizer, textEncoder, tokenizer2, textEncoder2);
            this.unet = open("unet", directory.unet());
            this.sampleSpec = unet.requireInput("sample");
            this.timestepSpec = unet.requireInput("timestep");
            TensorSpec states = unet.requireInput("encoder_hidden_states");
            this.timestepCondSpec = unet.input("timestep_cond").orElse(null);
            this.unetOutput = unet.output("out_sample").map(TensorSpec::name).orElseGet(() -> unet.outputs().getFirst().name());
            checkUnet(states);
            this.vaeDecoder = open("vae_decoder", directory.vaeDecoder());
            this.vae = new VaeCodec(vaeDecoder, null, directory.scalingFactor(), settings.vaeTiling());
            this.schedulerConfig = directory.schedulerConfig();
            this.preview = settings.taesdDecoder() == null ? LinearLatentPreview.forModel(directory.isXl())
                    : new TaesdPreview(open("taesd_decoder", settings.taesdDecoder()));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens the pipeline in {@code dir}; every error names the missing file or mismatched input. */
    public static StableDiffusionPipeline load(Path dir, PipelineSettings settings) {
        return new StableDiffusionPipeline(PipelineDirectory.open(dir), settings);
    }

    private ModelSession open(String name, Path file) {
        return sessions.open(name, file, settings.sessions());
    }

    private void checkUnet(TensorSpec states) {
        for (TensorSpec in : unet.inputs()) {
            if (!KNOWN_UNET_INPUTS.contains(in.name())) {
                throw new AtelierException("unet takes an input Atelier does not provide: " + in.describe()
                        + " (known: " + KNOWN_UNET_INPUTS + "); this is not a text-to-image Stable Diffusion UNet");
            }
        }
        if (sampleSpec.rank() != 4) {
            throw new AtelierException("unet input 'sample' should be [batch, 4, height, width] but is " + sampleSpec);
        }
        if (sampleSpec.isFixed(1) && sampleSpec.dim(1) != VaeCodec.LATENT_CHANNELS) {
            throw new AtelierException("unet takes " + sampleSpec.dim(1) + " latent channels; generate needs a plain"
                    + " text-to-image UNet with 4 (inpainting and InstructPix2Pix UNets take 9 and 8)");
        }
        if (directory.isXl() && (unet.input("text_embeds").isEmpty() || unet.input("time_ids").isEmpty())) {
            throw new AtelierException("the pipeline has two text encoders (SDXL) but its unet lacks the inputs"
                    + " 'text_embeds' and 'time_ids'; the components come from different models");
        }
        int dim = prompts.stateDim();
        if (states.rank() != 3) {
            throw new AtelierException("unet input 'encoder_hidden_states' should be [batch, tokens, dim] but is " + states);
        }
        if (dim > 0 && states.isFixed(2) && states.dim(2) != dim) {
            throw new AtelierException("the text encoder gives states of width " + dim + " but unet expects "
                    + states.dim(2) + " in 'encoder_hidden_states'; the components come from different models");
        }
    }

    public PipelineDirectory directory() { return directory; }

    /** The scheduler used when a request names none: the model's own, where Atelier has it. */
    public SchedulerKind defaultScheduler() {
        return directory.defaultScheduler();
    }

    /** Steps and guidance for requests that name none, for this model. */
    public SamplingDefaults samplingDefaults() {
        return SamplingDefaults.forModel(directory.root(), hasGuidanceEmbedding());
    }

    /** Whether the UNet takes LCM's guidance embedding (then guidance is never classifier-free). */
    public boolean hasGuidanceEmbedding() { return timestepCondSpec != null; }

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
        long sessionNanosBefore = sessions.nanosInRuns();
        long unetNanosBefore = unet.nanosInRuns();
        SchedulerKind kind = request.scheduler() != null ? request.scheduler() : defaultScheduler();
        GenerationRequest resolved = request.withScheduler(kind).withNoise(request.noiseOrDefault());
        int latentHeight = request.height() / 8;
        int latentWidth = request.width() / 8;
        int latentSize = VaeCodec.LATENT_CHANNELS * latentHeight * latentWidth;
        boolean cfg = request.guidanceScale() > 1 && timestepCondSpec == null;

        // Text conditioning, once for the whole batch.
        Prediction prediction = request.regions() != null
                ? regionalPrediction(request, cfg, latentHeight, latentWidth) : plainPrediction(request, cfg);
        long textDone = System.nanoTime();

        float[] initLatents = null;
        if (request.isImageToImage()) initLatents = encodeInitImage(request);

        List<GeneratedImage> images = new ArrayList<>();
        long vaeNanos = 0;
        int[] unetRuns = {0};
        try (Conditioning conditioning = new Conditioning(prediction.entries(), request)) {
            for (int i = 0; i < request.batchSize(); i++) {
                long seed = request.seed() + i;
                float[] latents = denoise(request, kind, seed, i, initLatents, conditioning, prediction.combiner(),
                        latentHeight, latentWidth, latentSize, callback, unetRuns);
                long vaeStart = System.nanoTime();
                float[] pixels = vae.decode(latents, latentHeight, latentWidth);
                BufferedImage image = ImageTensors.fromNchw(pixels, 0, request.height(), request.width());
                vaeNanos += System.nanoTime() - vaeStart;
                images.add(new GeneratedImage(image, seed, resolved.withSeed(seed).withBatchSize(1), latents));
            }
        }
        long end = System.nanoTime();
        long denoising = end - textDone - vaeNanos;
        Timings timings = new Timings(end - start, textDone - start, denoising, vaeNanos,
                sessions.nanosInRuns() - sessionNanosBefore, unet.nanosInRuns() - unetNanosBefore, unetRuns[0]);
        log.debug("generated {} image(s) in {} ms, overhead {}", images.size(), timings.total() / 1_000_000,
                String.format("%.2f%%", 100 * timings.overhead()));
        return new GenerationResult(resolved, images, timings);
    }

    private float[] encodeInitImage(GenerationRequest request) {
        if (vaeEncoder == null) {
            Path encoderFile = directory.vaeEncoder().orElseThrow(() -> new AtelierException(directory.root()
                    + " has no vae_encoder/model.onnx, which image-to-image (--init) needs; export the model with its"
                    + " VAE encoder or drop --init"));
            vaeEncoder = open("vae_encoder", encoderFile);
            vae = new VaeCodec(vaeDecoder, vaeEncoder, directory.scalingFactor(), settings.vaeTiling());
        }
        BufferedImage init = Images.read(Path.of(request.initImage()));
        if (init.getWidth() != request.width() || init.getHeight() != request.height()) {
            init = resize(init, request.width(), request.height());
        }
        return vae.encode(ImageTensors.toNchw(init), request.height(), request.width());
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

    /** How the UNet's predictions for the conditioning entries (in order) combine into one ε. */
    @FunctionalInterface
    private interface Combiner {
        float[] combine(float[] predictions, int sampleLength);
    }

    /** The text conditionings the UNet runs under each step, and how their predictions combine. */
    private record Prediction(List<PromptEncoder.Encoded> entries, Combiner combiner) {}

    /** One prompt over the canvas: [cond], or [uncond, cond] under classifier-free guidance. */
    private Prediction plainPrediction(GenerationRequest request, boolean cfg) {
        PromptEncoder.Encoded cond = prompts.encode(request.prompt());
        if (!cfg) return new Prediction(List.of(cond), (out, n) -> out);
        boolean zeros = prompts.isXl() && directory.forceZerosForEmptyPrompt() && request.negativePrompt().isBlank();
        PromptEncoder.Encoded uncond = zeros ? cond.zeros() : prompts.encode(request.negativePrompt());
        int chunks = Math.max(cond.chunks(), uncond.chunks());
        if (cond.chunks() < chunks || uncond.chunks() < chunks) {
            PromptEncoder.Encoded empty = zeros ? cond.zeros() : prompts.encode("");
            cond = cond.padded(chunks, empty);
            uncond = uncond.padded(chunks, empty);
        }
        return new Prediction(List.of(uncond, cond),
                (out, n) -> Guidance.combineBatched(out, request.guidanceScale(), request.guidanceRescale()));
    }

    /** Latent mode: [uncond?, base?, region 0 … N−1], each prompt encoded on its own, padded to one chunk count. */
    private Prediction regionalPrediction(GenerationRequest request, boolean cfg, int latentHeight, int latentWidth) {
        RegionalPrompt regional = request.regions();
        RegionMasks masks = RegionMasks.of(regional.layout(), latentWidth, latentHeight);
        List<String> texts = new ArrayList<>();
        if (regional.usesBase()) texts.add(regional.basePrompt());
        texts.addAll(regional.layout().prompts());
        List<PromptEncoder.Encoded> conds = new ArrayList<>();
        for (String text : texts) conds.add(prompts.encode(text));
        PromptEncoder.Encoded longest = conds.getFirst();
        for (PromptEncoder.Encoded e : conds) if (e.chunks() > longest.chunks()) longest = e;
        List<PromptEncoder.Encoded> entries = new ArrayList<>();
        if (cfg) {
            boolean zeros = prompts.isXl() && directory.forceZerosForEmptyPrompt() && request.negativePrompt().isBlank();
            entries.add(zeros ? longest.zeros() : prompts.encode(request.negativePrompt()));
        }
        entries.addAll(conds);
        int chunks = entries.stream().mapToInt(PromptEncoder.Encoded::chunks).max().orElseThrow();
        if (entries.stream().anyMatch(e -> e.chunks() < chunks)) {
            PromptEncoder.Encoded empty = prompts.encode("");
            entries.replaceAll(e -> e.padded(chunks, empty));
        }
        RegionalGuidance guidance = new RegionalGuidance(masks, regional.usesBase() ? regional.baseRatio() : 0, cfg,
                request.guidanceScale(), request.guidanceRescale());
        return new Prediction(List.copyOf(entries), guidance::combine);
    }

    /**
     * UNet inputs that stay the same over all steps, converted once into native memory. The entries run in groups
     * as large as the UNet's batch allows: one run when its batch is free (up to {@value #MAX_RUN_BATCH}), one run
     * per entry when it is fixed at 1.
     */
    private final class Conditioning implements AutoCloseable {
        final List<Map<String, Feed>> perRun = new ArrayList<>();
        /** How many entries of each run are real; a UNet with a fixed batch gets the rest as repeats. */
        final List<Integer> realPerRun = new ArrayList<>();
        final List<Integer> batchPerRun = new ArrayList<>();
        final int entries;
        final List<PreparedInput> owned = new ArrayList<>();

        Conditioning(List<PromptEncoder.Encoded> all, GenerationRequest request) {
            entries = all.size();
            boolean fixedBatch = sampleSpec.isFixed(0);
            int runBatch = fixedBatch ? (int) sampleSpec.dim(0) : Math.min(entries, MAX_RUN_BATCH);
            for (int from = 0; from < entries; from += runBatch) {
                List<PromptEncoder.Encoded> group = new ArrayList<>(all.subList(from, Math.min(entries, from + runBatch)));
                realPerRun.add(group.size());
                if (fixedBatch) while (group.size() < runBatch) group.add(group.getLast());
                batchPerRun.add(group.size());
                perRun.add(feeds(group, request));
            }
        }

        private Map<String, Feed> feeds(List<PromptEncoder.Encoded> group, GenerationRequest request) {
            Map<String, Feed> feeds = new HashMap<>();
            int b = group.size();
            int tokens = group.getFirst().tokens();
            int dim = group.getFirst().dim();
            float[] states = new float[b * tokens * dim];
            for (int k = 0; k < b; k++) System.arraycopy(group.get(k).states(), 0, states, k * tokens * dim, tokens * dim);
            feeds.put("encoder_hidden_states", prepare("encoder_hidden_states", Tensor.of(states, b, tokens, dim)));
            if (prompts.isXl()) {
                int pooledDim = group.getFirst().pooled().length;
                float[] pooled = new float[b * pooledDim];
                for (int k = 0; k < b; k++) System.arraycopy(group.get(k).pooled(), 0, pooled, k * pooledDim, pooledDim);
                feeds.put("text_embeds", prepare("text_embeds", Tensor.of(pooled, b, pooledDim)));
                float[] timeIds = new float[b * 6];
                for (int k = 0; k < b; k++) {
                    float[] row = {request.height(), request.width(), 0, 0, request.height(), request.width()};
                    System.arraycopy(row, 0, timeIds, k * 6, 6);
                }
                feeds.put("time_ids", prepare("time_ids", Tensor.of(timeIds, b, 6)));
            }
            if (timestepCondSpec != null) {
                int dimW = timestepCondSpec.rank() == 2 && timestepCondSpec.isFixed(1) ? (int) timestepCondSpec.dim(1) : 256;
                float[] w = guidanceEmbedding(request.guidanceScale(), dimW);
                float[] all = new float[b * dimW];
                for (int k = 0; k < b; k++) System.arraycopy(w, 0, all, k * dimW, dimW);
                feeds.put("timestep_cond", prepare("timestep_cond", Tensor.of(all, b, dimW)));
            }
            return feeds;
        }

        private PreparedInput prepare(String name, Tensor t) {
            PreparedInput p = unet.prepare(name, t);
            owned.add(p);
            return p;
        }

        @Override
        public void close() {
            owned.forEach(PreparedInput::close);
        }
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

    private float[] denoise(GenerationRequest request, SchedulerKind kind, long seed, int imageIndex, float[] initLatents,
                            Conditioning conditioning, Combiner combiner, int latentHeight, int latentWidth,
                            int latentSize, StepCallback callback, int[] unetRuns) {
        NoiseSource noise = request.noiseOrDefault() == NoiseKind.ATELIER ? new SeededNoise(seed) : new TorchCpuGenerator(seed);
        Scheduler scheduler = Schedulers.create(kind, schedulerConfig);
        scheduler.setTimesteps(request.steps());
        double[] timesteps = scheduler.timesteps();
        int first = 0;
        float[] latents;
        if (initLatents != null) {
            int initSteps = Math.min((int) (timesteps.length * request.strength()), timesteps.length);
            first = timesteps.length - initSteps;
            latents = initSteps == 0 ? initLatents.clone() : scheduler.addNoise(initLatents, noise.gaussian(latentSize), first);
        } else {
            latents = noise.gaussian(latentSize);
            float sigma = (float) scheduler.initNoiseSigma();
            if (sigma != 1f) for (int i = 0; i < latents.length; i++) latents[i] *= sigma;
        }
        long[] sampleShape = {1, VaeCodec.LATENT_CHANNELS, latentHeight, latentWidth};
        int steps = timesteps.length - first;
        for (int k = first; k < timesteps.length; k++) {
            float[] modelInput = scheduler.scaleModelInput(latents, k);
            float[] prediction = predict(modelInput, timesteps[k], conditioning, combiner, sampleShape, unetRuns);
            latents = scheduler.step(prediction, k, latents, noise);
            final float[] current = latents;
            final int next = k + 1;
            StepEvent event = new StepEvent(imageIndex, request.batchSize(), k - first + 1, steps, timesteps[k],
                    () -> next < timesteps.length ? scheduler.scaleModelInput(current, next) : current,
                    latentHeight, latentWidth, preview);
            if (!callback.onStep(event)) throw new GenerationCancelledException(k - first + 1, steps);
        }
        return latents;
    }

    /** Runs every conditioning entry on {@code modelInput} and combines the predictions [entry 0 ‖ entry 1 ‖ …]. */
    private float[] predict(float[] modelInput, double timestep, Conditioning conditioning, Combiner combiner,
                            long[] sampleShape, int[] unetRuns) {
        int n = modelInput.length;
        if (conditioning.perRun.size() == 1 && conditioning.batchPerRun.getFirst() == conditioning.entries) {
            int b = conditioning.entries;
            float[] input = modelInput;
            if (b > 1) {
                input = new float[b * n];
                for (int k = 0; k < b; k++) System.arraycopy(modelInput, 0, input, k * n, n);
            }
            return combiner.combine(runUnet(input, b, timestep, conditioning.perRun.getFirst(), sampleShape, unetRuns), n);
        }
        float[] all = new float[conditioning.entries * n];
        int at = 0;
        for (int run = 0; run < conditioning.perRun.size(); run++) {
            int b = conditioning.batchPerRun.get(run);
            float[] input = new float[b * n];
            for (int k = 0; k < b; k++) System.arraycopy(modelInput, 0, input, k * n, n);
            float[] out = runUnet(input, b, timestep, conditioning.perRun.get(run), sampleShape, unetRuns);
            int real = conditioning.realPerRun.get(run);
            System.arraycopy(out, 0, all, at, real * n);
            at += real * n;
        }
        return combiner.combine(all, n);
    }

    private float[] runUnet(float[] sample, int batch, double timestep, Map<String, Feed> fixed, long[] sampleShape,
                            int[] unetRuns) {
        Map<String, Feed> feeds = new HashMap<>(fixed);
        feeds.put("sample", Tensor.of(sample, batch, sampleShape[1], sampleShape[2], sampleShape[3]));
        feeds.put("timestep", TimestepFeed.of(timestepSpec, timestep, batch));
        unetRuns[0]++;
        Tensor.Floats out = unet.run(feeds, Set.of(unetOutput)).get(unetOutput);
        if (out.data().length != sample.length) {
            throw new AtelierException("unet returned " + out.data().length + " values for a sample of " + sample.length
                    + "; its output '" + unetOutput + "' is not the noise prediction");
        }
        return out.data();
    }

    @Override
    public void close() {
        sessions.close();
    }
}
