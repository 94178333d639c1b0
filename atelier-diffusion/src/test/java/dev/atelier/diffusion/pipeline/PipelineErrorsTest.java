package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.Device;
import dev.atelier.diffusion.onnx.OrtSessions;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.testkit.diffusion.ToyPipeline;
import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A directory that is not a usable pipeline gets an error naming the missing file or the mismatched input. */
class PipelineErrorsTest {

    private static AtelierException loadFails(Path dir) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> StableDiffusionPipeline.load(dir, PipelineSettings.defaults()).close());
        assertThat(t).isInstanceOf(AtelierException.class);
        return (AtelierException) t;
    }

    @Test
    void missingDirectoryAndModelIndex(@TempDir Path dir) throws Exception {
        assertThat(loadFails(dir.resolve("absent")).getMessage()).contains("does not exist");
        Files.createDirectories(dir.resolve("empty"));
        assertThat(loadFails(dir.resolve("empty")).getMessage()).contains("model_index.json is missing");
    }

    @Test
    void eachMissingComponentIsNamed(@TempDir Path dir) throws Exception {
        for (String file : new String[] {"unet/model.onnx", "vae_decoder/model.onnx", "text_encoder/model.onnx",
                "tokenizer/merges.txt"}) {
            Path p = ToyPipeline.write(dir.resolve(file.replace('/', '_')), Spec.sd15());
            Files.delete(p.resolve(file));
            assertThat(loadFails(p).getMessage()).as(file).contains(file);
        }
        Path xl = ToyPipeline.write(dir.resolve("xl"), Spec.sdxl());
        Files.delete(xl.resolve("text_encoder_2/model.onnx"));
        assertThat(loadFails(xl).getMessage()).contains("text_encoder_2/model.onnx").contains("SDXL");
    }

    @Test
    void aPipelineWithoutASchedulerFolderSamplesWithStableDiffusionsSchedule(@TempDir Path dir) throws Exception {
        Path p = ToyPipeline.write(dir, Spec.sd15());
        Files.delete(p.resolve("scheduler/scheduler_config.json"));
        Files.delete(p.resolve("scheduler"));
        try (StableDiffusionPipeline pipeline = StableDiffusionPipeline.load(p, PipelineSettings.defaults())) {
            assertThat(pipeline.defaultScheduler()).isEqualTo(dev.atelier.diffusion.scheduler.SchedulerKind.DPMPP_2M_KARRAS);
            GenerationResult result = pipeline.generate(TextToImageTest.request("a photo of a red cat").withScheduler(null));
            assertThat(result.request().scheduler()).isEqualTo(dev.atelier.diffusion.scheduler.SchedulerKind.DPMPP_2M_KARRAS);
            // the toy's ᾱ table is SD's, so the default schedule is the one it was "trained" with: it lands on the colour
            TextToImageTest.assertLatentsAre(result.images().getFirst().latents(), ToyPipeline.latentColour(Spec.sd15(), "red"), 1e-3);
        }
    }

    @Test
    void missingExternalDataIsReported(@TempDir Path dir) throws Exception {
        Path p = ToyPipeline.write(dir, Spec.sd15().withExternalData());
        Files.delete(p.resolve("unet/model.onnx_data"));
        assertThat(loadFails(p).getMessage()).contains("unet").contains("external data");
    }

    @Test
    void componentsFromDifferentModelsAreRejectedNamingTheInput(@TempDir Path dir) throws Exception {
        Path p = ToyPipeline.write(dir.resolve("a"), Spec.sd15());
        Path other = ToyPipeline.write(dir.resolve("b"), Spec.sd15().withHiddenDim(12));
        Files.copy(other.resolve("text_encoder/model.onnx"), p.resolve("text_encoder/model.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(loadFails(p).getMessage()).contains("encoder_hidden_states").contains("12").contains("8");
    }

    @Test
    void aUnetWithoutTheExpectedInputsIsNamed(@TempDir Path dir) throws Exception {
        Path p = ToyPipeline.write(dir.resolve("a"), Spec.sd15());
        // a VAE decoder where the UNet should be: no 'sample'/'timestep' inputs
        Files.copy(p.resolve("vae_decoder/model.onnx"), p.resolve("unet/model.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(loadFails(p).getMessage()).contains("unet has no input named 'sample'").contains("latent_sample");
    }

    @Test
    void cudaWithoutTheGpuBuildSaysWhatToInstall(@TempDir Path dir) throws Exception {
        Assumptions.assumeFalse(OrtSessions.cudaAvailable(), "the GPU build is present");
        Path p = ToyPipeline.write(dir, Spec.sd15());
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> StableDiffusionPipeline.load(p,
                PipelineSettings.defaults().withSessions(SessionSettings.defaults().withDevice(Device.CUDA))).close());
        assertThat(t).isInstanceOf(AtelierException.class).hasMessageContaining("onnxruntime_gpu")
                .hasMessageContaining("--device cpu");
    }

    @Test
    void badRequestsAreRejectedWithTheOptionName() {
        assertThatThrownBy(() -> GenerationRequest.of("m", "p", 1).withSize(500, 512))
                .isInstanceOf(AtelierException.class).hasMessageContaining("--width");
        assertThatThrownBy(() -> GenerationRequest.of("m", "p", 1).withSteps(0)).hasMessageContaining("--steps");
        assertThatThrownBy(() -> GenerationRequest.of("m", "p", 1).withInitImage("x.png", 1.5))
                .hasMessageContaining("--strength");
        assertThatThrownBy(() -> Device.parse("tpu")).hasMessageContaining("cpu or cuda");
    }
}
