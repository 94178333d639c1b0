package dev.atelier.testkit.diffusion;

import dev.atelier.testkit.diffusion.ToyPipeline.Spec;
import dev.atelier.testkit.onnx.OnnxModelBuilder;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntAttr;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntsAttr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Toy editing pipelines (SD 1.5 layout, {@link ToyPipeline}'s text encoder, tokenizer and linear VAE) whose UNets
 * take the extra image channels and steer to a known x₀ (s = the VAE scaling factor, c = the prompt's colour
 * latent s·Σ states·P as in {@link ToyPipeline}):
 * <ul>
 *   <li>InstructPix2Pix (8 channels [x ‖ image latents], image latents unscaled): x₀ = s·image + c. A three-way
 *       guidance over (prompt, image), (∅, image), (∅, 0) therefore lands on s·(s_I·image) + s_T·c.</li>
 *   <li>Inpainting (9 channels [x ‖ mask ‖ masked-image latents], the latter scaled): x₀ = m·c + (1 − m)·masked;
 *       with CFG w the masked region lands on w·c, the rest on the masked image's latents.</li>
 * </ul>
 */
public final class ToyEditPipelines {

    public enum Kind { INSTRUCT_PIX2PIX, INPAINTING }

    /** The base spec every toy editing pipeline shares (SD 1.5: ε-prediction, DDIM, scaling 0.18215). */
    public static final Spec SPEC = Spec.sd15();

    private ToyEditPipelines() {}

    public static Path write(Path dir, Kind kind) throws IOException {
        return write(dir, kind, false);
    }

    /**
     * Writes the pipeline; {@code encoderWithLogVariance} makes the VAE encoder return 8 channels [mean ‖ logvar]
     * (logvar = 5·mean, so a pipeline that keeps the wrong half is visibly off).
     */
    public static Path write(Path dir, Kind kind, boolean encoderWithLogVariance) throws IOException {
        return write(dir, kind, encoderWithLogVariance, false);
    }

    /** As {@link #write(Path, Kind, boolean)}; {@code unetBatchOne} fixes the UNet's batch at 1 (static-shape export). */
    public static Path write(Path dir, Kind kind, boolean encoderWithLogVariance, boolean unetBatchOne) throws IOException {
        return write(dir, kind, encoderWithLogVariance, unetBatchOne, SPEC);
    }

    /**
     * As {@link #write(Path, Kind, boolean, boolean)} on another base spec, e.g. {@code SPEC.withHiddenDim(768)} for
     * real tensor sizes in benchmarks ({@link #promptLatent} describes the default spec only).
     */
    public static Path write(Path dir, Kind kind, boolean encoderWithLogVariance, boolean unetBatchOne, Spec spec)
            throws IOException {
        ToyPipeline.write(dir, spec);
        int channels = kind == Kind.INSTRUCT_PIX2PIX ? 8 : 9;
        Object batch = unetBatchOne ? (Object) 1 : "batch";
        (kind == Kind.INSTRUCT_PIX2PIX ? instructPix2PixUnet(batch, spec) : inpaintingUnet(batch, spec))
                .writeTo(dir.resolve("unet/model.onnx"));
        Files.writeString(dir.resolve("unet/config.json"), "{\"in_channels\":" + channels
                + ",\"out_channels\":4,\"sample_size\":8,\"cross_attention_dim\":" + spec.hiddenDim() + "}");
        String className = kind == Kind.INSTRUCT_PIX2PIX ? "StableDiffusionInstructPix2PixPipeline" : "ORTStableDiffusionInpaintPipeline";
        String index = ToyPipeline.modelIndex(spec).replaceFirst("\"_class_name\":\"[^\"]*\"", "\"_class_name\":\"" + className + "\"");
        Files.writeString(dir.resolve("model_index.json"), index);
        if (encoderWithLogVariance) vaeEncoderWithLogVariance().writeTo(dir.resolve("vae_encoder/model.onnx"));
        return dir;
    }

    /** The prompt's colour latent c (4 channels, scaled), as the toy UNets compute it. */
    public static float[] promptLatent(String... colourWords) {
        return ToyPipeline.latentColour(SPEC, colourWords);
    }

    static OnnxModelBuilder instructPix2PixUnet(Object batch, Spec spec) {
        OnnxModelBuilder b = new OnnxModelBuilder("toy_ip2p_unet");
        commonInputs(b, 8, batch, spec);
        pick(b, "x", 8, 0, 4, 1f);
        pick(b, "image_scaled", 8, 4, 4, (float) spec.scalingFactor());
        promptLatent(b, spec);
        b.node("Add", List.of("image_scaled", "c4"), List.of("x0"));
        epsilon(b, batch);
        return b;
    }

    static OnnxModelBuilder inpaintingUnet(Object batch, Spec spec) {
        OnnxModelBuilder b = new OnnxModelBuilder("toy_inpaint_unet");
        commonInputs(b, 9, batch, spec);
        pick(b, "x", 9, 0, 4, 1f);
        pick(b, "mask", 9, 4, 1, 1f);
        pick(b, "masked", 9, 5, 4, 1f);
        promptLatent(b, spec);
        b.initializer("one_m", new long[] {}, new float[] {1f});
        b.node("Sub", List.of("one_m", "mask"), List.of("keep"));
        b.node("Mul", List.of("mask", "c4"), List.of("paint"));
        b.node("Mul", List.of("keep", "masked"), List.of("kept"));
        b.node("Add", List.of("paint", "kept"), List.of("x0"));
        epsilon(b, batch);
        return b;
    }

    private static void commonInputs(OnnxModelBuilder b, int channels, Object batch, Spec spec) {
        b.input("sample", ElemType.FLOAT, batch, channels, "height", "width");
        b.input("timestep", spec.timestepType(), 1);
        b.input("encoder_hidden_states", ElemType.FLOAT, batch, "sequence", spec.hiddenDim());
    }

    /** {@code out} = {@code scale} × channels [from, from + count) of the sample, by a 1×1 convolution. */
    private static void pick(OnnxModelBuilder b, String out, int channels, int from, int count, float scale) {
        float[] w = new float[count * channels];
        for (int i = 0; i < count; i++) w[i * channels + from + i] = scale;
        b.initializer(out + "_pick", new long[] {count, channels, 1, 1}, w);
        b.node("Conv", List.of("sample", out + "_pick"), List.of(out), Map.of("kernel_shape", new IntsAttr(1, 1)));
    }

    /** c4 [batch, 4, 1, 1] = s · Σ_tokens states · P. */
    private static void promptLatent(OnnxModelBuilder b, Spec spec) {
        int dim = spec.hiddenDim();
        b.initializer("token_axis", new long[] {1}, new long[] {1});
        b.node("ReduceSum", List.of("encoder_hidden_states", "token_axis"), List.of("summed"), Map.of("keepdims", new IntAttr(0)));
        float[] p = new float[dim * 4];
        for (int i = 0; i < 4; i++) p[i * 4 + i] = (float) spec.scalingFactor();
        b.initializer("projection", new long[] {dim, 4}, p);
        b.node("MatMul", List.of("summed", "projection"), List.of("c"));
        b.initializer("shape_c", new long[] {4}, new long[] {-1, 4, 1, 1});
        b.node("Reshape", List.of("c", "shape_c"), List.of("c4"));
    }

    /** out_sample = (x − √ᾱ_t x0)/√(1−ᾱ_t), σ_t interpolated in the training schedule's table. */
    private static void epsilon(OnnxModelBuilder b, Object batch) {
        double[] sig = ToyPipeline.sigmas();
        float[] table = new float[sig.length];
        for (int i = 0; i < sig.length; i++) table[i] = (float) sig[i];
        b.initializer("sigma_table", new long[] {table.length}, table);
        b.node("Cast", List.of("timestep"), List.of("t_float"), Map.of("to", new IntAttr(ElemType.FLOAT.code)));
        b.node("Floor", List.of("t_float"), List.of("t_floor"));
        b.node("Cast", List.of("t_floor"), List.of("t_index"), Map.of("to", new IntAttr(ElemType.INT64.code)));
        b.initializer("zero_i", new long[] {1}, new long[] {0});
        b.initializer("last_i", new long[] {1}, new long[] {ToyPipeline.TRAIN_TIMESTEPS - 1});
        b.initializer("one_i", new long[] {1}, new long[] {1});
        b.node("Sub", List.of("t_float", "t_floor"), List.of("t_frac"));
        b.node("Max", List.of("t_index", "zero_i"), List.of("t_low"));
        b.node("Min", List.of("t_low", "last_i"), List.of("i0"));
        b.node("Add", List.of("i0", "one_i"), List.of("i1_raw"));
        b.node("Min", List.of("i1_raw", "last_i"), List.of("i1"));
        b.node("Gather", List.of("sigma_table", "i0"), List.of("s0"));
        b.node("Gather", List.of("sigma_table", "i1"), List.of("s1"));
        b.node("Sub", List.of("s1", "s0"), List.of("s_delta"));
        b.node("Mul", List.of("s_delta", "t_frac"), List.of("s_step"));
        b.node("Add", List.of("s0", "s_step"), List.of("sigma"));
        b.initializer("one_f", new long[] {}, new float[] {1f});
        b.node("Mul", List.of("sigma", "sigma"), List.of("sigma2"));
        b.node("Add", List.of("sigma2", "one_f"), List.of("sigma2_1"));
        b.node("Sqrt", List.of("sigma2_1"), List.of("root"));
        b.node("Reciprocal", List.of("root"), List.of("alpha"));
        b.node("Mul", List.of("sigma", "alpha"), List.of("beta"));
        b.initializer("col4", new long[] {4}, new long[] {-1, 1, 1, 1});
        b.node("Reshape", List.of("alpha", "col4"), List.of("alpha4"));
        b.node("Reshape", List.of("beta", "col4"), List.of("beta4"));
        b.node("Mul", List.of("alpha4", "x0"), List.of("alpha_x0"));
        b.node("Sub", List.of("x", "alpha_x0"), List.of("noise_part"));
        b.node("Div", List.of("noise_part", "beta4"), List.of("out_sample"));
        b.output("out_sample", ElemType.FLOAT, batch, 4, "height", "width");
    }

    /** image → [mean ‖ logvar] with mean = 8×8 block averages of rgb (4th channel 0) and logvar = 5·mean. */
    static OnnxModelBuilder vaeEncoderWithLogVariance() {
        OnnxModelBuilder b = new OnnxModelBuilder("toy_vae_encoder_dist");
        b.input("sample", ElemType.FLOAT, "batch", 3, "height", "width");
        float[] w = new float[8 * 3 * 64];
        for (int ch = 0; ch < 3; ch++) {
            for (int k = 0; k < 64; k++) {
                w[(ch * 3 + ch) * 64 + k] = 1f / 64;
                w[((ch + 4) * 3 + ch) * 64 + k] = 5f / 64;
            }
        }
        b.initializer("down", new long[] {8, 3, 8, 8}, w);
        b.node("Conv", List.of("sample", "down"), List.of("latent_parameters"),
                Map.of("strides", new IntsAttr(8, 8), "kernel_shape", new IntsAttr(8, 8)));
        b.output("latent_parameters", ElemType.FLOAT, "batch", 8, "latent_height", "latent_width");
        return b;
    }
}
