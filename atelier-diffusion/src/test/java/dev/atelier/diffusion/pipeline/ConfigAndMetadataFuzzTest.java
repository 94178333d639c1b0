package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.scheduler.SchedulerConfig;
import dev.atelier.testkit.fuzz.GrowthCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A1111 parameters from a PNG (what {@code --from} replays) and the JSON configs of a model directory: bad values end
 * in an {@link AtelierException} naming the field, never in a JDK exception, a wrapped integer or an out-of-memory.
 */
class ConfigAndMetadataFuzzTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void a1111SettingsThatAreNotNumbersNameTheField() {
        assertThatThrownBy(() -> GenerationMetadata.parseA1111("a fox\nSteps: 0, Seed: a"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("Seed 'a'");
        assertThatThrownBy(() -> GenerationMetadata.parseA1111("a fox\nSteps: 20, Size: 9999999999x5"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("Size '9999999999x5'");
        assertThatThrownBy(() -> GenerationMetadata.parseA1111("a fox\nSteps: 0, Seed: 3"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("PNG's parameters")
                .hasMessageContaining("steps");
        assertThatThrownBy(() -> GenerationMetadata.parseA1111("a fox\nSteps: 9999999999"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("Steps '9999999999'");
        assertThatThrownBy(() -> GenerationMetadata.parseA1111("a fox\nSteps: 20, CFG scale: 1e309"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("guidance");
    }

    @Test
    void mutatedA1111TextGivesARequestOrAClearError() {
        String valid = "a red fox, snow\nNegative prompt: blurry\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7.5,"
                + " Seed: 42, Size: 512x768, Model: sd15, Denoising strength: 0.6, CFG Rescale phi: 0.7";
        List<String> pieces = List.of("Steps: ", "Seed: ", "Size: ", "CFG scale: ", "Sampler: ", ", ", "\"", "x", "\n",
                "Negative prompt: ", "-1", "0", "9999999999", "1e309", "NaN", "-0.5", "a", ": ", "Denoising strength: ");
        Random random = new Random(15);
        assertTimeoutPreemptively(BOUND, () -> {
            for (int run = 0; run < 20_000; run++) {
                StringBuilder text = new StringBuilder(valid);
                for (int edit = 1 + random.nextInt(4); edit > 0; edit--) {
                    int at = random.nextInt(text.length() + 1);
                    if (random.nextBoolean() && at < text.length()) {
                        text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(8)));
                    } else {
                        text.insert(at, pieces.get(random.nextInt(pieces.size())));
                    }
                }
                try {
                    GenerationMetadata.parseA1111(text.toString());
                } catch (AtelierException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                } catch (Throwable e) {
                    fail("parsing " + text + " threw " + e, e);
                }
            }
        });
    }

    @Test
    void a1111ParsingIsLinearInTheSettingsLine() {
        double ratio = GrowthCheck.timeRatio(n -> {
            try {
                GenerationMetadata.parseA1111("p\nSteps: 20, " + "Seed: 1, \"".repeat(n));
            } catch (AtelierException ignored) {
                // only the time counts
            }
        }, 2_000, 32);
        assertThat(ratio).as("32x the text, quadratic would be ~1024x").isLessThan(300);
    }

    @Test
    void schedulerNumbersThatWrapOrExhaustMemoryAreRefused() {
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"num_train_timesteps\": 4294967298}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("num_train_timesteps");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"num_train_timesteps\": 2147483647}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("num_train_timesteps must be at most");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"steps_offset\": 2147483647}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("steps_offset");
        assertThatThrownBy(() -> SchedulerConfig.parse("{\"sigma_max\": 1e309}"))
                .isInstanceOf(AtelierException.class).hasMessageContaining("sigma_max");
        assertThat(SchedulerConfig.parse("{\"num_train_timesteps\": 2000, \"steps_offset\": 1}").numTrainTimesteps())
                .isEqualTo(2000);
    }

    @Test
    void vaeAndUnetNumbersOutsideSaneBoundsAreRefused(@TempDir Path dir) throws IOException {
        Path model = minimalPipeline(dir.resolve("model"));
        Files.writeString(model.resolve("vae_decoder/config.json"), "{\"scaling_factor\": 1e309}");
        assertThatThrownBy(() -> PipelineDirectory.open(model))
                .isInstanceOf(AtelierException.class).hasMessageContaining("scaling_factor Infinity");
        Files.writeString(model.resolve("vae_decoder/config.json"), "{\"scaling_factor\": \"0.18\"}");
        assertThatThrownBy(() -> PipelineDirectory.open(model))
                .isInstanceOf(AtelierException.class).hasMessageContaining("must be a number");
        Files.writeString(model.resolve("vae_decoder/config.json"), "{\"scaling_factor\": 0.18215}");
        Files.writeString(model.resolve("unet/config.json"), "{\"sample_size\": 1e10}");
        assertThatThrownBy(() -> PipelineDirectory.open(model))
                .isInstanceOf(AtelierException.class).hasMessageContaining("sample_size 1.0E10");
        Files.writeString(model.resolve("unet/config.json"), "{\"sample_size\": 96}");
        assertThat(PipelineDirectory.open(model).defaultImageSize()).isEqualTo(768);
    }

    @Test
    void randomConfigValuesGiveADirectoryOrAClearError(@TempDir Path dir) throws IOException {
        Path model = minimalPipeline(dir.resolve("model"));
        List<String> values = List.of("0", "-1", "1", "0.5", "1000", "2147483647", "2147483648", "4294967298",
                "-9223372036854775809", "1e10", "1e309", "-1e309", "NaN", "Infinity", "-Infinity", "\"x\"", "null", "true",
                "[]", "{}", "[1, 2]", "\"linear\"", "\"leading\"", "\"epsilon\"", "0.00085", "0.012", "1e-320");
        List<String> schedulerKeys = List.of("num_train_timesteps", "beta_start", "beta_end", "beta_schedule",
                "trained_betas", "timestep_spacing", "steps_offset", "prediction_type", "clip_sample_range",
                "original_inference_steps", "timestep_scaling", "solver_order", "lambda_min_clipped", "sigma_min",
                "sigma_max", "sample_max_value", "dynamic_thresholding_ratio", "_class_name");
        Random random = new Random(15);
        assertTimeoutPreemptively(BOUND, () -> {
            for (int run = 0; run < 1500; run++) {
                Files.writeString(model.resolve("scheduler/scheduler_config.json"),
                        randomObject(schedulerKeys, values, random));
                Files.writeString(model.resolve("vae_decoder/config.json"),
                        randomObject(List.of("scaling_factor", "latent_channels"), values, random));
                Files.writeString(model.resolve("unet/config.json"),
                        randomObject(List.of("sample_size", "in_channels"), values, random));
                try {
                    PipelineDirectory directory = PipelineDirectory.open(model);
                    assertThat(directory.defaultImageSize()).isBetween(8, GenerationRequest.MAX_SIDE);
                    assertThat(directory.scalingFactor()).isPositive().isFinite();
                } catch (AtelierException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                } catch (Throwable e) {
                    fail("configs in " + model + " threw " + e, e);
                }
            }
        });
    }

    private static String randomObject(List<String> keys, List<String> values, Random random) {
        StringBuilder json = new StringBuilder("{");
        for (int i = random.nextInt(4); i > 0; i--) {
            if (json.length() > 1) json.append(", ");
            json.append('"').append(keys.get(random.nextInt(keys.size()))).append("\": ")
                    .append(values.get(random.nextInt(values.size())));
        }
        return json.append('}').toString();
    }

    /** The files PipelineDirectory checks for, empty: opening reads only the JSON configs. */
    static Path minimalPipeline(Path dir) throws IOException {
        for (String file : List.of("text_encoder/model.onnx", "unet/model.onnx", "vae_decoder/model.onnx",
                "tokenizer/vocab.json", "tokenizer/merges.txt", "scheduler/scheduler_config.json",
                "vae_decoder/config.json", "unet/config.json")) {
            Files.createDirectories(dir.resolve(file).getParent());
            Files.writeString(dir.resolve(file), file.endsWith(".json") ? "{}" : "");
        }
        Files.writeString(dir.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionPipeline\"}");
        return dir;
    }
}
