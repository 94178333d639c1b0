package dev.atelier.testkit.diffusion;

import dev.atelier.testkit.onnx.OnnxModelBuilder;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntAttr;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntsAttr;
import dev.atelier.testkit.onnx.OnnxModelBuilder.StringAttr;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A toy UNet whose prompt reaches it only through cross-attention blocks laid out and named like a torch/optimum
 * export of SD 1.x ({@code …/attn2/to_q/MatMul}, {@code to_k}, {@code to_v}, the Q·Kᵀ {@code MatMul}, {@code Mul} by
 * 1/√d, {@code Softmax}, the ·V {@code MatMul_1}, {@code to_out.0/MatMul} + {@code Add}), with two heads. The queries
 * are zero, so every attention returns the mean of its tokens' values; the values carry the colour dims times
 * s·77, so that for a one-chunk prompt each pixel's x₀ is exactly {@link ToyPipeline}'s prompt colour. Two attn2
 * blocks (at latent and at half resolution, averaged) and one self-attention {@code attn1} block (whose output
 * projection is zero) make the pattern search meet what a real UNet has. Timesteps and prediction are as in
 * {@link ToyPipeline} (ε only); the SDXL variant adds the pooled {@code text_embeds} to the fourth channel as
 * ToyPipeline's does.
 */
public final class ToyAttentionUnet {

    /**
     * @param channels   token width of a heavy variant (a 1×1 conv to this many channels and two 3×3 convs whose
     *                   result enters with weight 0, so that convolutions and attention dominate); 0 for the light toy
     * @param withSoftmax false writes an "unknown export": the same mean over tokens without the softmax pattern
     * @param opset      the ONNX opset the model declares
     */
    public record Options(int channels, boolean withSoftmax, int opset) {
        public static Options light() { return new Options(0, true, 17); }

        public static Options heavy(int channels) { return new Options(channels, true, 17); }

        public static Options withoutPattern() { return new Options(0, false, 17); }

        /** The same graph declared at another ONNX opset (13 or later: the toy's ReduceSum takes its axes as an input). */
        public Options atOpset(int version) { return new Options(channels, withSoftmax, version); }
    }

    private ToyAttentionUnet() {}

    /** Writes a whole toy pipeline into {@code dir} with this UNet in place of {@link ToyPipeline}'s. */
    public static Path write(Path dir, ToyPipeline.Spec spec, Options options) throws IOException {
        if (spec.flavour() == ToyPipeline.Flavour.SD2 || spec.prediction() != ToyPipeline.Prediction.EPSILON) {
            throw new IllegalArgumentException("the toy attention UNet is written for SD 1.x and SDXL ε-prediction specs");
        }
        ToyPipeline.write(dir, spec);
        OnnxModelBuilder unet = unet(spec, options);
        Path file = dir.resolve("unet/model.onnx");
        if (spec.externalData()) unet.writeWithExternalData(file, "model.onnx_data", 256);
        else unet.writeTo(file);
        return dir;
    }

    static OnnxModelBuilder unet(ToyPipeline.Spec spec, Options options) {
        boolean xl = spec.flavour() == ToyPipeline.Flavour.SDXL;
        int dim = spec.hiddenDim() + (xl ? spec.hiddenDim2() : 0);
        ToyPipeline.Graph g = new ToyPipeline.Graph("toy_attention_unet", spec);
        g.b.opset(options.opset());
        ElemType floatType = spec.fp16() ? ElemType.FLOAT16 : ElemType.FLOAT;
        g.floatInput("sample", "sample_f", "batch", 4, "height", "width");
        ElemType tType = spec.timestepType() == ElemType.FLOAT ? floatType : spec.timestepType();
        g.b.input("timestep", tType, 1);
        g.floatInput("encoder_hidden_states", "states_f", "batch", "sequence", dim);
        ToyPipeline.timestepScales(g);

        g.b.node("Shape", List.of("sample_f"), List.of("sample_shape"));

        String features = "sample_f";
        int width = 4;
        if (options.channels() > 0) {
            width = options.channels();
            g.b.initializer("conv_in.weight", new long[] {width, 4, 1, 1}, ramp(width * 4, 0.05f));
            g.b.node("Conv", List.of("sample_f", "conv_in.weight"), List.of("conv_in"), Map.of("kernel_shape", new IntsAttr(1, 1)));
            String x = "conv_in";
            for (int i = 0; i < 2; i++) {
                String w = "down_blocks.0.resnets." + i + ".conv.weight";
                g.b.initializer(w, new long[] {width, width, 3, 3}, ramp(width * width * 9, 0.01f / width));
                g.b.node("Conv", List.of(x, w), List.of("resnet" + i), Map.of("kernel_shape", new IntsAttr(3, 3),
                        "pads", new IntsAttr(1, 1, 1, 1)));
                x = "resnet" + i;
            }
            features = x;
        }

        // full resolution: self-attention (contributes 0) then cross-attention
        g.constI64("features_shape", 0, width, -1);
        g.b.node("Reshape", List.of(features, "features_shape"), List.of("features_flat"));
        g.b.node("Transpose", List.of("features_flat"), List.of("tokens"), Map.of("perm", new IntsAttr(0, 2, 1)));
        String self = attention(g, "/down_blocks.0/attentions.0/transformer_blocks.0/attn1", "tokens", width, "tokens",
                width, false, options, spec);
        String cross = attention(g, "/down_blocks.0/attentions.0/transformer_blocks.0/attn2", "tokens", width,
                "states_f", dim, true, options, spec);
        g.b.node("Add", List.of(cross, self), List.of("full_tokens"));
        g.b.node("Transpose", List.of("full_tokens"), List.of("full_flat"), Map.of("perm", new IntsAttr(0, 2, 1)));
        g.b.node("Reshape", List.of("full_flat", "sample_shape"), List.of("c_full"));

        // half resolution
        g.b.node("AveragePool", List.of(features), List.of("pooled"), Map.of("kernel_shape", new IntsAttr(2, 2),
                "strides", new IntsAttr(2, 2), "ceil_mode", new IntAttr(1)));
        g.b.node("Shape", List.of("pooled"), List.of("pooled_shape"));
        g.constI64("four", 4);
        g.constI64("start0", 0);
        g.constI64("end2", 2);
        g.b.node("Slice", List.of("pooled_shape", "start0", "end2"), List.of("pooled_lead"));
        g.b.node("Slice", List.of("pooled_shape", "end2", "four"), List.of("pooled_hw"));
        g.b.node("Reshape", List.of("pooled", "features_shape"), List.of("pooled_flat"));
        g.b.node("Transpose", List.of("pooled_flat"), List.of("half_tokens"), Map.of("perm", new IntsAttr(0, 2, 1)));
        String half = attention(g, "/up_blocks.1/attentions.0/transformer_blocks.0/attn2", "half_tokens", width,
                "states_f", dim, true, options, spec);
        g.b.node("Transpose", List.of(half), List.of("half_flat"), Map.of("perm", new IntsAttr(0, 2, 1)));
        g.b.node("Slice", List.of("sample_shape", "start0", "end2"), List.of("sample_lead"));
        g.b.node("Concat", List.of("sample_lead", "pooled_hw"), List.of("half_shape"), Map.of("axis", new IntAttr(0)));
        g.b.node("Reshape", List.of("half_flat", "half_shape"), List.of("c_half_grid"));
        g.b.node("Resize", List.of("c_half_grid", "", "", "sample_shape"), List.of("c_half_up"),
                Map.of("mode", new StringAttr("nearest"), "coordinate_transformation_mode", new StringAttr("asymmetric"),
                        "nearest_mode", new StringAttr("floor")));
        g.b.node("Add", List.of("c_full", "c_half_up"), List.of("c_twice"));
        g.constF("half_f", 0.5f);
        if (xl) {
            // as ToyPipeline's SDXL UNet: the pooled text_embeds add to the fourth channel everywhere; time_ids weigh 0
            g.b.node("Mul", List.of("c_twice", "half_f"), List.of("c_text"));
            g.floatInput("text_embeds", "pooled_f", "batch", spec.hiddenDim2());
            g.floatInput("time_ids", "time_ids_f", "batch", 6);
            float[] q = new float[spec.hiddenDim2() * 4];
            q[3 * 4 + 3] = (float) spec.scalingFactor();
            g.b.initializer("pooled_projection", new long[] {spec.hiddenDim2(), 4}, q);
            g.b.node("MatMul", List.of("pooled_f", "pooled_projection"), List.of("c_pooled"));
            g.b.initializer("time_weight", new long[] {6, 4}, new float[24]);
            g.b.node("MatMul", List.of("time_ids_f", "time_weight"), List.of("c_time"));
            g.b.node("Add", List.of("c_pooled", "c_time"), List.of("c_global"));
            g.constI64("global_shape", -1, 4, 1, 1);
            g.b.node("Reshape", List.of("c_global", "global_shape"), List.of("c_global4"));
            g.b.node("Add", List.of("c_text", "c_global4"), List.of("c4"));
        } else {
            g.b.node("Mul", List.of("c_twice", "half_f"), List.of("c4"));
        }

        // ε = (x − √ᾱ c)/√(1−ᾱ)
        g.b.node("Mul", List.of("alpha4", "c4"), List.of("alpha_c"));
        g.b.node("Sub", List.of("sample_f", "alpha_c"), List.of("noise_part"));
        g.b.node("Div", List.of("noise_part", "beta4"), List.of("eps"));
        g.floatOutput("eps", "out_sample", "batch", 4, "height", "width");
        return g.b;
    }

    /**
     * One attention block over {@code queries} [b, n, queryWidth] and {@code context} [b, T, contextWidth], named as
     * optimum names it; returns its output tokens [b, n, 4]. Cross-attention values carry the colour dims × s·77;
     * self-attention's output projection is zero.
     */
    private static String attention(ToyPipeline.Graph g, String p, String queries, int queryWidth, String context,
                                    int contextWidth, boolean cross, Options options, ToyPipeline.Spec spec) {
        int inner = Math.max(8, options.channels());
        int headDim = inner / 2;
        g.constI64(p + "/heads_shape", 0, -1, 2, headDim);
        g.b.initializer(p + ".to_q.weight", new long[] {queryWidth, inner}, new float[queryWidth * inner]);
        g.b.initializer(p + ".to_k.weight", new long[] {contextWidth, inner}, ramp(contextWidth * inner, 0.1f));
        float[] v = new float[contextWidth * inner];
        if (cross) {
            // the colour dims of each text encoder's part (SDXL joins two)
            for (int part = 0; part < contextWidth; part += spec.hiddenDim()) {
                for (int i = 0; i < 4; i++) v[(part + i) * inner + i] = 1f;
            }
        }
        else v = ramp(contextWidth * inner, 0.1f);
        g.b.initializer(p + ".to_v.weight", new long[] {contextWidth, inner}, v);
        float[] o = new float[inner * 4];
        if (cross) for (int i = 0; i < 4; i++) o[i * 4 + i] = (float) (spec.scalingFactor() * 77);
        g.b.initializer(p + ".to_out.0.weight", new long[] {inner, 4}, o);
        g.b.initializer(p + ".to_out.0.bias", new long[] {4}, new float[4]);

        g.b.node("MatMul", List.of(queries, p + ".to_q.weight"), List.of(p + "/to_q/MatMul_output_0"));
        g.b.node("MatMul", List.of(context, p + ".to_k.weight"), List.of(p + "/to_k/MatMul_output_0"));
        g.b.node("MatMul", List.of(context, p + ".to_v.weight"), List.of(p + "/to_v/MatMul_output_0"));
        g.b.node("Reshape", List.of(p + "/to_q/MatMul_output_0", p + "/heads_shape"), List.of(p + "/Reshape_output_0"));
        g.b.node("Transpose", List.of(p + "/Reshape_output_0"), List.of(p + "/Transpose_output_0"), Map.of("perm", new IntsAttr(0, 2, 1, 3)));
        g.b.node("Reshape", List.of(p + "/to_k/MatMul_output_0", p + "/heads_shape"), List.of(p + "/Reshape_1_output_0"));
        g.b.node("Transpose", List.of(p + "/Reshape_1_output_0"), List.of(p + "/Transpose_1_output_0"), Map.of("perm", new IntsAttr(0, 2, 3, 1)));
        g.b.node("Reshape", List.of(p + "/to_v/MatMul_output_0", p + "/heads_shape"), List.of(p + "/Reshape_2_output_0"));
        g.b.node("Transpose", List.of(p + "/Reshape_2_output_0"), List.of(p + "/Transpose_2_output_0"), Map.of("perm", new IntsAttr(0, 2, 1, 3)));
        String probabilities = p + "/Softmax_output_0";
        if (options.withSoftmax()) {
            g.b.node("MatMul", List.of(p + "/Transpose_output_0", p + "/Transpose_1_output_0"), List.of(p + "/MatMul_output_0"));
            g.b.initializer(p + "/Constant_output_0", new long[] {}, new float[] {(float) (1 / Math.sqrt(headDim))});
            g.b.node("Mul", List.of(p + "/MatMul_output_0", p + "/Constant_output_0"), List.of(p + "/Mul_output_0"));
            g.b.node("Softmax", List.of(p + "/Mul_output_0"), List.of(probabilities), Map.of("axis", new IntAttr(-1)));
            g.b.node("MatMul", List.of(probabilities, p + "/Transpose_2_output_0"), List.of(p + "/MatMul_1_output_0"));
        } else {
            // an export this rewrite does not know: the uniform attention as a mean over the token axis
            g.b.node("ReduceMean", List.of(p + "/Transpose_2_output_0"), List.of(p + "/mean_output_0"),
                    Map.of("axes", new IntsAttr(2), "keepdims", new IntAttr(1)));
            // the zero queries broadcast the mean over every query
            g.b.node("Add", List.of(p + "/Transpose_output_0", p + "/mean_output_0"), List.of(p + "/MatMul_1_output_0"));
        }
        g.b.node("Transpose", List.of(p + "/MatMul_1_output_0"), List.of(p + "/Transpose_3_output_0"), Map.of("perm", new IntsAttr(0, 2, 1, 3)));
        g.constI64(p + "/merge_shape", 0, -1, inner);
        g.b.node("Reshape", List.of(p + "/Transpose_3_output_0", p + "/merge_shape"), List.of(p + "/Reshape_3_output_0"));
        g.b.node("MatMul", List.of(p + "/Reshape_3_output_0", p + ".to_out.0.weight"), List.of(p + "/to_out.0/MatMul_output_0"));
        g.b.node("Add", List.of(p + ".to_out.0.bias", p + "/to_out.0/MatMul_output_0"), List.of(p + "/to_out.0/Add_output_0"));
        return p + "/to_out.0/Add_output_0";
    }

    private static float[] ramp(int n, float scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = scale * (((i * 37) % 11) - 5) / 5f;
        return out;
    }
}
