package dev.atelier.diffusion.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.scheduler.SchedulerConfig;
import dev.atelier.diffusion.scheduler.SchedulerKind;
import dev.atelier.diffusion.scheduler.Schedulers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Stable Diffusion pipeline directory in Hugging Face optimum's ONNX layout: {@code model_index.json},
 * {@code text_encoder[_2]/model.onnx}, {@code unet/model.onnx}, {@code vae_decoder/model.onnx},
 * {@code vae_encoder/model.onnx} (image-to-image only), {@code tokenizer[_2]/}, {@code scheduler/scheduler_config.json}
 * and per-component {@code config.json}. Opening checks that every needed file is there and names the first
 * missing one.
 */
public final class PipelineDirectory {
    private static final Logger log = LoggerFactory.getLogger(PipelineDirectory.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final double DEFAULT_SCALING_FACTOR = 0.18215;
    static final double MAX_SCALING_FACTOR = 100;

    private final Path root;
    private final String className;
    private final boolean xl;
    private final double scalingFactor;
    private final boolean forceZerosForEmptyPrompt;
    private final String schedulerClassName;
    private final SchedulerConfig schedulerConfig;
    private SchedulerKind defaultScheduler;
    private final int defaultImageSize;

    private PipelineDirectory(Path root, String className, boolean xl, double scalingFactor,
                              boolean forceZerosForEmptyPrompt, String schedulerClassName, SchedulerConfig schedulerConfig,
                              int defaultImageSize) {
        this.defaultImageSize = defaultImageSize;
        this.root = root;
        this.className = className;
        this.xl = xl;
        this.scalingFactor = scalingFactor;
        this.forceZerosForEmptyPrompt = forceZerosForEmptyPrompt;
        this.schedulerClassName = schedulerClassName;
        this.schedulerConfig = schedulerConfig;
    }

    /** Checks the layout and reads the configs; throws an {@link AtelierException} naming what is missing. */
    public static PipelineDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new AtelierException("model directory " + dir + " does not exist or is not a directory; pass the"
                    + " folder of an ONNX Stable Diffusion export (it holds model_index.json, unet/, vae_decoder/, ...)");
        }
        JsonNode index = readJson(dir.resolve("model_index.json"), "model_index.json", dir);
        String className = index.path("_class_name").asText("");
        boolean xl = index.has("text_encoder_2") || className.contains("XL") || Files.isDirectory(dir.resolve("text_encoder_2"));

        List<String> required = new ArrayList<>(List.of("text_encoder/model.onnx", "unet/model.onnx",
                "vae_decoder/model.onnx", "tokenizer/vocab.json", "tokenizer/merges.txt"));
        if (xl) required.addAll(List.of("text_encoder_2/model.onnx", "tokenizer_2/vocab.json", "tokenizer_2/merges.txt"));
        for (String file : required) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new AtelierException(dir + " is not a usable " + (xl ? "SDXL" : "Stable Diffusion") + " pipeline: "
                        + file + " is missing. Expected the Hugging Face optimum ONNX layout (export one with"
                        + " `optimum-cli export onnx --model <hub id> " + dir.getFileName() + "`), or download it again.");
            }
        }

        double scaling = DEFAULT_SCALING_FACTOR;
        Path vaeConfig = dir.resolve("vae_decoder/config.json");
        if (Files.isRegularFile(vaeConfig)) {
            JsonNode vae = readJson(vaeConfig, "vae_decoder/config.json", dir);
            if (vae.hasNonNull("scaling_factor")) {
                JsonNode factor = vae.get("scaling_factor");
                if (!factor.isNumber()) {
                    throw new AtelierException("vae_decoder/config.json in " + dir + " has scaling_factor " + factor
                            + ", which must be a number; fix or re-export the file");
                }
                scaling = factor.asDouble();
            }
            else if (xl) scaling = 0.13025;
        } else {
            scaling = xl ? 0.13025 : DEFAULT_SCALING_FACTOR;
            log.warn("{} has no vae_decoder/config.json; assuming scaling factor {}", dir, scaling);
        }
        // real VAEs use 0.13 to 1.5; far outside that the latents would be nonsense (or infinite)
        if (!(scaling > 0 && scaling <= MAX_SCALING_FACTOR)) {
            throw new AtelierException("vae_decoder/config.json in " + dir + " has scaling_factor " + scaling
                    + ", which must be a positive number of at most " + MAX_SCALING_FACTOR + "; fix or re-export the file");
        }
        boolean forceZeros = index.path("force_zeros_for_empty_prompt").asBoolean(xl);
        // Some exports ship no scheduler folder (e.g. an InstructPix2Pix one); SD's own training schedule is then right.
        Path schedulerFile = dir.resolve("scheduler/scheduler_config.json");
        SchedulerConfig schedulerConfig;
        String schedulerClass = "";
        if (Files.isRegularFile(schedulerFile)) {
            schedulerConfig = SchedulerConfig.read(schedulerFile);
            // read by SchedulerConfig, which accepts diffusers' -Infinity where a plain JSON reader would not
            schedulerClass = schedulerConfig.className() == null ? "" : schedulerConfig.className();
        } else {
            schedulerConfig = SchedulerConfig.stableDiffusionDefaults();
            log.warn("{} has no scheduler/scheduler_config.json; using Stable Diffusion's training schedule", dir);
        }
        int size = xl ? 1024 : 512;
        Path unetConfig = dir.resolve("unet/config.json");
        if (Files.isRegularFile(unetConfig)) {
            JsonNode sampleSize = readJson(unetConfig, "unet/config.json", dir).path("sample_size");
            if (sampleSize.isNumber()) size = imageSize(sampleSize, dir);
        }
        return new PipelineDirectory(dir, className, xl, scaling, forceZeros, schedulerClass, schedulerConfig, size);
    }

    /** The UNet's latent side × 8, refused unless it gives an image Atelier can render. */
    private static int imageSize(JsonNode sampleSize, Path dir) {
        double latent = sampleSize.asDouble();
        int maxLatent = GenerationRequest.MAX_SIDE / 8;
        if (latent != Math.rint(latent) || latent < 1 || latent > maxLatent) {
            throw new AtelierException("unet/config.json in " + dir + " has sample_size " + sampleSize
                    + ", which must be a whole number from 1 to " + maxLatent + " (the latent side; the image is 8 times"
                    + " larger); fix or re-export the file");
        }
        return (int) latent * 8;
    }

    private static JsonNode readJson(Path file, String relative, Path dir) {
        if (!Files.isRegularFile(file)) {
            throw new AtelierException(dir + " is not an ONNX Stable Diffusion pipeline: " + relative + " is missing."
                    + " Expected the Hugging Face optimum layout (model_index.json, text_encoder/, unet/, vae_decoder/,"
                    + " tokenizer/, scheduler/); export one with `optimum-cli export onnx --model <hub id> DIR`.");
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new AtelierException(relative + " in " + dir + " is not valid JSON (" + e.getMessage()
                    + "); restore the file from the model's repository", e);
        }
    }

    public Path root() { return root; }

    /** The folder's name, used as the model name in image metadata. */
    public String name() {
        Path name = root.toAbsolutePath().normalize().getFileName();
        return name == null ? root.toString() : name.toString();
    }

    public String className() { return className; }

    public boolean isXl() { return xl; }

    public double scalingFactor() { return scalingFactor; }

    public boolean forceZerosForEmptyPrompt() { return forceZerosForEmptyPrompt; }

    /** diffusers' class name of the scheduler the model ships with, e.g. {@code EulerDiscreteScheduler}. */
    public String schedulerClassName() { return schedulerClassName; }

    /** The image side the UNet was trained at (unet/config.json's sample_size × 8): 512, 768 for SD 2.x, 1024 for SDXL. */
    public int defaultImageSize() { return defaultImageSize; }

    public Path textEncoder() { return root.resolve("text_encoder/model.onnx"); }

    public Path textEncoder2() { return root.resolve("text_encoder_2/model.onnx"); }

    public Path unet() { return root.resolve("unet/model.onnx"); }

    public Path vaeDecoder() { return root.resolve("vae_decoder/model.onnx"); }

    /** The VAE encoder, needed for image-to-image only. */
    public Optional<Path> vaeEncoder() {
        Path p = root.resolve("vae_encoder/model.onnx");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    public Path tokenizer() { return root.resolve("tokenizer"); }

    public Path tokenizer2() { return root.resolve("tokenizer_2"); }

    /** The scheduler configuration the model ships with, or Stable Diffusion's when it ships none. */
    public SchedulerConfig schedulerConfig() { return schedulerConfig; }

    /** The scheduler used when a request names none: the model's own where Atelier has it, else one named in a warning. */
    public SchedulerKind defaultScheduler() {
        if (defaultScheduler == null) defaultScheduler = Schedulers.defaultKind(schedulerConfig); // warns once
        return defaultScheduler;
    }
}
