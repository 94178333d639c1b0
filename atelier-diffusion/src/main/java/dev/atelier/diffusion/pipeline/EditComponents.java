package dev.atelier.diffusion.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.ImageTensors;
import dev.atelier.diffusion.onnx.Feed;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.diffusion.onnx.TensorSpec;
import dev.atelier.diffusion.scheduler.Scheduler;
import dev.atelier.diffusion.scheduler.SchedulerConfig;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.diffusion.scheduler.Schedulers;
import dev.atelier.diffusion.tokenizer.ClipTokenizer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sessions and glue an image-editing pipeline (InstructPix2Pix, inpainting) shares: an SD 1.x/2.x pipeline whose
 * UNet takes extra image channels after the 4 latent ones, and which always needs the VAE encoder.
 */
final class EditComponents implements AutoCloseable {
    private static final Set<String> KNOWN_UNET_INPUTS = Set.of("sample", "timestep", "encoder_hidden_states");

    final PipelineDirectory directory;
    final PromptEncoder prompts;
    final ModelSession unet;
    final VaeCodec vae;
    final SchedulerConfig schedulerConfig;
    final LatentPreview preview = LinearLatentPreview.forModel(false);
    final int channels;
    private final SessionGroup sessions = new SessionGroup();
    private final TensorSpec sampleSpec;
    private final TensorSpec timestepSpec;
    private final String unetOutput;

    EditComponents(PipelineDirectory directory, PipelineSettings settings, PipelineKind kind, String command) {
        this.directory = directory;
        this.channels = kind.unetChannels();
        try {
            if (directory.isXl()) {
                throw new AtelierException(directory.root() + " is an SDXL pipeline; " + command + " supports SD 1.x/2.x "
                        + kind.description() + " models only — pick such a model");
            }
            ClipTokenizer tokenizer = ClipTokenizer.fromHuggingFaceDir(directory.tokenizer());
            this.prompts = new PromptEncoder(tokenizer, open("text_encoder", directory.textEncoder(), settings), null, null);
            this.unet = open("unet", directory.unet(), settings);
            this.sampleSpec = unet.requireInput("sample");
            this.timestepSpec = unet.requireInput("timestep");
            this.unetOutput = unet.output("out_sample").map(TensorSpec::name).orElseGet(() -> unet.outputs().getFirst().name());
            checkUnet(kind, command);
            Path encoderFile = directory.vaeEncoder().orElseThrow(() -> new AtelierException(directory.root()
                    + " has no vae_encoder/model.onnx, which " + command + " needs to read the image; export the model"
                    + " with its VAE encoder"));
            ModelSession decoder = open("vae_decoder", directory.vaeDecoder(), settings);
            ModelSession encoder = open("vae_encoder", encoderFile, settings);
            this.vae = new VaeCodec(decoder, encoder, directory.scalingFactor(), settings.vaeTiling());
            this.schedulerConfig = directory.schedulerConfig();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private ModelSession open(String name, Path file, PipelineSettings settings) {
        return sessions.open(name, file, settings.sessions());
    }

    private void checkUnet(PipelineKind kind, String command) {
        for (TensorSpec in : unet.inputs()) {
            if (!KNOWN_UNET_INPUTS.contains(in.name())) {
                throw new AtelierException("unet takes an input Atelier does not provide: " + in.describe()
                        + " (known: " + KNOWN_UNET_INPUTS + "); " + command + " needs " + kind.description()
                        + " Stable Diffusion UNet");
            }
        }
        if (sampleSpec.rank() != 4) {
            throw new AtelierException("unet input 'sample' should be [batch, " + channels + ", height, width] but is "
                    + sampleSpec);
        }
        PipelineKind declared = sampleSpec.isFixed(1) ? PipelineKind.ofChannels(sampleSpec.dim(1)) : PipelineKind.of(directory);
        if (declared != kind) {
            String actual = sampleSpec.isFixed(1) ? sampleSpec.dim(1) + " channels" : "a symbolic channel count";
            throw new AtelierException("unet input 'sample' takes " + actual + " but " + command + " needs "
                    + kind.description() + " UNet with " + channels + " ([latents ‖ " + extras(kind) + "]); "
                    + (declared == null ? "this is not a Stable Diffusion UNet" : directory.root() + " holds "
                    + declared.description() + " model") + " — pick " + kind.description() + " model");
        }
    }

    private static String extras(PipelineKind kind) {
        return switch (kind) {
            case INSTRUCT_PIX2PIX -> "image latents";
            case INPAINTING -> "mask ‖ masked-image latents";
            case TEXT_TO_IMAGE -> "nothing";
        };
    }

    /** The scheduler used when a request names none: the model's own, where Atelier has it. */
    SchedulerKind defaultScheduler() {
        return directory.defaultScheduler();
    }

    /** Text states of the prompts, padded to a common chunk count; one entry per prompt, in order. */
    List<PromptEncoder.Encoded> encode(String... texts) {
        List<PromptEncoder.Encoded> out = new ArrayList<>();
        int chunks = 0;
        for (String t : texts) {
            PromptEncoder.Encoded e = prompts.encode(t);
            out.add(e);
            chunks = Math.max(chunks, e.chunks());
        }
        PromptEncoder.Encoded empty = null;
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).chunks() < chunks) {
                if (empty == null) empty = prompts.encode("");
                out.set(i, out.get(i).padded(chunks, empty));
            }
        }
        return out;
    }

    /** The image as a [3, height, width] tensor in [-1, 1], resized when its size differs. */
    static float[] pixels(BufferedImage image, int width, int height) {
        return ImageTensors.toNchw(fit(image, width, height));
    }

    static BufferedImage fit(BufferedImage image, int width, int height) {
        return image.getWidth() == width && image.getHeight() == height ? image
                : StableDiffusionPipeline.resize(image, width, height);
    }

    /** The model's guided noise prediction for the scaled latents [4, h, w] at one timestep. */
    @FunctionalInterface
    interface NoisePrediction {
        float[] at(float[] scaledLatents, double timestep);
    }

    /** The seeded denoising loop from pure noise over the whole schedule; returns the final (scaled) latents. */
    float[] denoise(EditRequest request, SchedulerKind kind, int latentHeight, int latentWidth, NoisePrediction model,
                    StepCallback callback) {
        SeededNoise noise = new SeededNoise(request.seed());
        Scheduler scheduler = Schedulers.create(kind, schedulerConfig);
        scheduler.setTimesteps(request.steps());
        double[] timesteps = scheduler.timesteps();
        float[] latents = noise.gaussian(VaeCodec.LATENT_CHANNELS * latentHeight * latentWidth);
        float sigma = (float) scheduler.initNoiseSigma();
        if (sigma != 1f) for (int i = 0; i < latents.length; i++) latents[i] *= sigma;
        for (int k = 0; k < timesteps.length; k++) {
            float[] prediction = model.at(scheduler.scaleModelInput(latents, k), timesteps[k]);
            latents = scheduler.step(prediction, k, latents, noise);
            final float[] current = latents;
            final int next = k + 1;
            StepEvent event = new StepEvent(0, 1, k + 1, timesteps.length, timesteps[k],
                    () -> next < timesteps.length ? scheduler.scaleModelInput(current, next) : current,
                    latentHeight, latentWidth, preview);
            if (!callback.onStep(event)) throw new GenerationCancelledException(k + 1, timesteps.length);
        }
        return latents;
    }

    /** Per sample [latents ‖ extra channels], stacked over the batch: {@code extras[i]} goes with sample i. */
    float[] stack(float[] latents, float[]... extras) {
        int n = latents.length;
        int extra = extras[0].length;
        float[] out = new float[extras.length * (n + extra)];
        for (int i = 0; i < extras.length; i++) {
            System.arraycopy(latents, 0, out, i * (n + extra), n);
            System.arraycopy(extras[i], 0, out, i * (n + extra) + n, extra);
        }
        return out;
    }

    /** Whether the UNet was exported for a batch of one (then each part of a guided batch runs alone). */
    boolean unetTakesOneAtATime() {
        return sampleSpec.isFixed(0) && sampleSpec.dim(0) == 1;
    }

    /**
     * Runs the UNet on {@code batch} samples [batch, channels, h, w] with text states [batch, tokens, dim] and returns
     * its noise prediction [batch, 4, h, w].
     */
    float[] runUnet(float[] sample, int batch, int latentHeight, int latentWidth, double timestep, float[] states,
                    int tokens, int dim) {
        Map<String, Feed> feeds = new HashMap<>();
        feeds.put("sample", Tensor.of(sample, batch, channels, latentHeight, latentWidth));
        feeds.put("timestep", TimestepFeed.of(timestepSpec, timestep, batch));
        feeds.put("encoder_hidden_states", Tensor.of(states, batch, tokens, dim));
        Tensor.Floats out = unet.run(feeds, Set.of(unetOutput)).get(unetOutput);
        int expected = batch * VaeCodec.LATENT_CHANNELS * latentHeight * latentWidth;
        if (out.data().length != expected) {
            throw new AtelierException("unet returned " + out.data().length + " values where " + expected
                    + " were expected; its output '" + unetOutput + "' is not the noise prediction");
        }
        return out.data();
    }

    long sessionNanos() {
        return sessions.nanosInRuns();
    }

    @Override
    public void close() {
        sessions.close();
    }
}
