package dev.atelier.testkit.diffusion;

import dev.atelier.testkit.onnx.OnnxModelBuilder;
import dev.atelier.testkit.onnx.OnnxModelBuilder.ElemType;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntAttr;
import dev.atelier.testkit.onnx.OnnxModelBuilder.IntsAttr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes analytic toy Stable Diffusion pipelines in the exact Hugging Face optimum ONNX layout, whose right
 * answer is known in closed form:
 * <ul>
 *   <li>text encoder = embedding lookup: colour words carry a colour {@code [r, g, b, w4]}, every other token
 *       (BOS, EOS, padding, letters) is zero;</li>
 *   <li>UNet: {@code c = s · Σ_tokens encoder_hidden_states · P} (P picks the first four dims, s = the VAE
 *       scaling factor) and {@code ε = (x_t − √ᾱ_t c)/√(1−ᾱ_t)}, with σ_t = √((1−ᾱ_t)/ᾱ_t) looked up (linearly
 *       interpolated for fractional timesteps) from a table inside the graph; its ideal x₀ is exactly c. The
 *       v-prediction variant returns {@code √ᾱ ε − √(1−ᾱ) c};</li>
 *   <li>VAE decoder = 1×1 linear map [I₃|0] upsampled ×8 (one ConvTranspose); encoder = 8×8 average pool then
 *       [I₃;0] — so latents {@code s·[rgb, 0]} decode to exactly {@code rgb} after the pipeline divides by s.</li>
 * </ul>
 * A prompt's expected final latent is {@link #latentColour}; its image colour is the first three channels / s.
 */
public final class ToyPipeline {

    public enum Flavour { SD15, SD2, SDXL }

    public enum Prediction { EPSILON, V_PREDICTION }

    /** Colour words known to the toy text encoder: {r, g, b, w4}; r, g, b are image values in [-1, 1]. */
    public static final Map<String, float[]> COLOURS;

    static {
        Map<String, float[]> c = new LinkedHashMap<>();
        c.put("red", new float[] {0.4f, -0.3f, -0.3f, 0.1f});
        c.put("green", new float[] {-0.3f, 0.4f, -0.3f, 0.1f});
        c.put("blue", new float[] {-0.3f, -0.3f, 0.4f, 0.1f});
        c.put("white", new float[] {0.45f, 0.45f, 0.45f, 0.2f});
        c.put("black", new float[] {-0.45f, -0.45f, -0.45f, -0.2f});
        c.put("yellow", new float[] {0.4f, 0.4f, -0.3f, 0.05f});
        c.put("purple", new float[] {0.2f, -0.3f, 0.4f, -0.05f});
        c.put("orange", new float[] {0.45f, 0.1f, -0.35f, 0.15f});
        COLOURS = java.util.Collections.unmodifiableMap(c);
    }

    /** Plain words (no colour) the vocabulary also holds as single tokens. */
    public static final List<String> PLAIN_WORDS = List.of("a", "photo", "of", "cat", "dog", "house");

    public static final int TRAIN_TIMESTEPS = 1000;
    public static final double BETA_START = 0.00085;
    public static final double BETA_END = 0.012;

    /**
     * What to write. {@code hiddenDim2} and the text-embeds width are used by SDXL only; {@code timestepPerSample}
     * declares the UNet's timestep as [batch] instead of [1].
     */
    public record Spec(Flavour flavour, Prediction prediction, ElemType idType, ElemType timestepType,
                       boolean timestepPerSample, boolean fp16, boolean externalData, int hiddenDim, int hiddenDim2,
                       double scalingFactor, String schedulerClass, boolean vaeEncoder, boolean guidanceEmbedding,
                       boolean unetBatchOne) {

        public static Spec sd15() {
            return new Spec(Flavour.SD15, Prediction.EPSILON, ElemType.INT32, ElemType.INT64, false, false, false,
                    8, 0, 0.18215, "DDIMScheduler", true, false, false);
        }

        /** SD 2.x: v-prediction, padding with id 0 ("!"), float timestep. */
        public static Spec sd2() {
            return new Spec(Flavour.SD2, Prediction.V_PREDICTION, ElemType.INT64, ElemType.FLOAT, false, false, false,
                    12, 0, 0.18215, "DDIMScheduler", true, false, false);
        }

        /** SDXL: two text encoders (8 + 12 dims), pooled text_embeds, time_ids, scaling factor 0.13025. */
        public static Spec sdxl() {
            return new Spec(Flavour.SDXL, Prediction.EPSILON, ElemType.INT64, ElemType.FLOAT, false, false, false,
                    8, 12, 0.13025, "EulerDiscreteScheduler", true, false, false);
        }

        public Spec withFp16() { return new Spec(flavour, prediction, idType, timestepType, timestepPerSample, true, externalData, hiddenDim, hiddenDim2, scalingFactor, schedulerClass, vaeEncoder, guidanceEmbedding, unetBatchOne); }
        public Spec withIds(ElemType t) { return new Spec(flavour, prediction, t, timestepType, timestepPerSample, fp16, externalData, hiddenDim, hiddenDim2, scalingFactor, schedulerClass, vaeEncoder, guidanceEmbedding, unetBatchOne); }
        public Spec withTimestep(ElemType t) { return new Spec(flavour, prediction, idType, t, timestepPerSample, fp16, externalData, hiddenDim, hiddenDim2, scalingFactor, schedulerClass, vaeEncoder, guidanceEmbedding, unetBatchOne); }
        public Spec withTimestepPerSample() { return new Spec(flavour, prediction, idType, timestepType, true, fp16, externalData, hiddenDim, hiddenDim2, scalingFactor, schedulerClass, vaeEncoder, guidanceEmbedding, unetBatchOne); }
        public Spec withPrediction(Prediction p) { return new Spec(flavour, p, idType, timestepType, timestepPerSample, fp16, externalData, hiddenDim, hiddenDim2, scalingFactor, schedulerClass, vaeEncoder, guidanceEmbedding, unetBatchOne); }
        public Spec withExternalData() { return new Spec(flavour, prediction, idType, timestepType, timestepPerSample, fp16, true, hiddenDim, hiddenDim2, scalingFactor, schedulerClass, vaeEncoder, guidanceEmbedding, unetBatchOne); }
        public Spec withHiddenDim(int d) { return new Spec(flavour, prediction, idType, timestepType, timestepPerSample, fp16, externalData, d, hiddenDim2, scalingFactor, schedulerClass, vaeEncoder, guidanceEmbedding, unetBatchOne); }
        public Spec withScheduler(String className) { return new Spec(flavour, prediction, idType, timestepType, timestepPerSample, fp16, externalData, hiddenDim, hiddenDim2, scalingFactor, className, vaeEncoder, guidanceEmbedding, unetBatchOne); }
        public Spec withoutVaeEncoder() { return new Spec(flavour, prediction, idType, timestepType, timestepPerSample, fp16, externalData, hiddenDim, hiddenDim2, scalingFactor, schedulerClass, false, guidanceEmbedding, unetBatchOne); }

        /** An LCM-distilled UNet: takes {@code timestep_cond} [batch, 256]; its sum × 0.001·s adds to latent channel 4. */
        public Spec withGuidanceEmbedding() { return new Spec(flavour, prediction, idType, timestepType, timestepPerSample, fp16, externalData, hiddenDim, hiddenDim2, scalingFactor, "LCMScheduler", vaeEncoder, true, unetBatchOne); }

        /** A UNet exported with a fixed batch of 1 (static shapes): CFG then needs two runs per step. */
        public Spec withUnetBatchOne() { return new Spec(flavour, prediction, idType, timestepType, timestepPerSample, fp16, externalData, hiddenDim, hiddenDim2, scalingFactor, schedulerClass, vaeEncoder, guidanceEmbedding, true); }

        String padToken() { return flavour == Flavour.SD2 ? "!" : ToyVocabulary.EOS; }
    }

    private ToyPipeline() {}

    public static ToyVocabulary vocabulary() {
        List<String> words = new ArrayList<>(COLOURS.keySet());
        words.addAll(PLAIN_WORDS);
        return new ToyVocabulary(words);
    }

    /** The final latent (4 channels) the toy UNet steers to for a prompt holding these colour words. */
    public static float[] latentColour(Spec spec, String... colourWords) {
        float[] c = new float[4];
        for (String w : colourWords) {
            float[] col = COLOURS.get(w);
            if (col == null) throw new IllegalArgumentException("not a colour word: " + w);
            for (int i = 0; i < 4; i++) c[i] += (float) (spec.scalingFactor() * col[i]);
            if (spec.flavour() == Flavour.SDXL) c[3] += (float) (spec.scalingFactor() * 0.5 * col[3]);
        }
        return c;
    }

    /** The RGB values in [-1, 1] the toy VAE decodes a constant latent to. */
    public static float[] imageColour(Spec spec, float[] latent) {
        return new float[] {(float) (latent[0] / spec.scalingFactor()), (float) (latent[1] / spec.scalingFactor()),
                (float) (latent[2] / spec.scalingFactor())};
    }

    /** σ_t = √((1−ᾱ_t)/ᾱ_t) for SD's scaled-linear schedule (β 0.00085…0.012, T = 1000). */
    public static double[] sigmas() {
        double[] sigma = new double[TRAIN_TIMESTEPS];
        double a = Math.sqrt(BETA_START);
        double b = Math.sqrt(BETA_END);
        double alphaBar = 1;
        for (int i = 0; i < TRAIN_TIMESTEPS; i++) {
            double root = a + (b - a) * i / (TRAIN_TIMESTEPS - 1);
            alphaBar *= 1 - root * root;
            sigma[i] = Math.sqrt((1 - alphaBar) / alphaBar);
        }
        return sigma;
    }

    /** Writes the whole pipeline directory and returns it. */
    public static Path write(Path dir, Spec spec) throws IOException {
        Files.createDirectories(dir);
        ToyVocabulary vocab = vocabulary();
        boolean xl = spec.flavour() == Flavour.SDXL;

        vocab.writeTo(dir.resolve("tokenizer"), spec.padToken());
        if (xl) {
            writeModel(textEncoder(spec, vocab, spec.hiddenDim(), false), dir.resolve("text_encoder/model.onnx"), spec);
            writeModel(textEncoder(spec, vocab, spec.hiddenDim2(), true), dir.resolve("text_encoder_2/model.onnx"), spec);
            vocab.writeTo(dir.resolve("tokenizer_2"), "!");
            writeJson(dir.resolve("text_encoder_2/config.json"), "{\"hidden_size\":" + spec.hiddenDim2()
                    + ",\"projection_dim\":" + spec.hiddenDim2() + ",\"num_hidden_layers\":2,\"max_position_embeddings\":77}");
        } else {
            writeModel(textEncoder(spec, vocab, spec.hiddenDim(), false), dir.resolve("text_encoder/model.onnx"), spec);
        }
        writeJson(dir.resolve("text_encoder/config.json"), "{\"hidden_size\":" + spec.hiddenDim()
                + ",\"num_hidden_layers\":2,\"max_position_embeddings\":77}");

        writeModel(unet(spec), dir.resolve("unet/model.onnx"), spec);
        int crossDim = spec.hiddenDim() + (xl ? spec.hiddenDim2() : 0);
        writeJson(dir.resolve("unet/config.json"), "{\"in_channels\":4,\"out_channels\":4,\"sample_size\":8,"
                + "\"cross_attention_dim\":" + crossDim + "}");

        String vaeConfig = "{\"latent_channels\":4,\"sample_size\":64,\"scaling_factor\":" + spec.scalingFactor() + "}";
        writeModel(vaeDecoder(spec), dir.resolve("vae_decoder/model.onnx"), spec);
        writeJson(dir.resolve("vae_decoder/config.json"), vaeConfig);
        if (spec.vaeEncoder()) {
            writeModel(vaeEncoder(spec), dir.resolve("vae_encoder/model.onnx"), spec);
            writeJson(dir.resolve("vae_encoder/config.json"), vaeConfig);
        }

        writeJson(dir.resolve("scheduler/scheduler_config.json"), schedulerConfig(spec));
        writeJson(dir.resolve("model_index.json"), modelIndex(spec));
        return dir;
    }

    /** diffusers-style scheduler_config.json; {@code set_alpha_to_one} true so DDIM's last step lands on x₀. */
    static String schedulerConfig(Spec spec) {
        String prediction = spec.prediction() == Prediction.V_PREDICTION ? "v_prediction" : "epsilon";
        return "{\"_class_name\":\"" + spec.schedulerClass() + "\",\"_diffusers_version\":\"0.30.0\","
                + "\"beta_start\":" + BETA_START + ",\"beta_end\":" + BETA_END + ",\"beta_schedule\":\"scaled_linear\","
                + "\"num_train_timesteps\":" + TRAIN_TIMESTEPS + ",\"set_alpha_to_one\":true,\"steps_offset\":1,"
                + "\"clip_sample\":false,\"timestep_spacing\":\"leading\",\"prediction_type\":\"" + prediction + "\"}";
    }

    static String modelIndex(Spec spec) {
        boolean xl = spec.flavour() == Flavour.SDXL;
        StringBuilder b = new StringBuilder("{\"_class_name\":\"")
                .append(xl ? "ORTStableDiffusionXLPipeline" : "ORTStableDiffusionPipeline")
                .append("\",\"_diffusers_version\":\"0.30.0\",")
                .append("\"text_encoder\":[\"transformers\",\"CLIPTextModel\"],")
                .append("\"tokenizer\":[\"transformers\",\"CLIPTokenizer\"],");
        if (xl) {
            b.append("\"text_encoder_2\":[\"transformers\",\"CLIPTextModelWithProjection\"],")
                    .append("\"tokenizer_2\":[\"transformers\",\"CLIPTokenizer\"],")
                    .append("\"force_zeros_for_empty_prompt\":true,");
        }
        b.append("\"unet\":[\"diffusers\",\"UNet2DConditionModel\"],")
                .append("\"vae_decoder\":[\"diffusers\",\"AutoencoderKL\"],");
        if (spec.vaeEncoder()) b.append("\"vae_encoder\":[\"diffusers\",\"AutoencoderKL\"],");
        b.append("\"scheduler\":[\"diffusers\",\"").append(spec.schedulerClass()).append("\"]}");
        return b.toString();
    }

    private static void writeJson(Path file, String json) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
    }

    private static void writeModel(OnnxModelBuilder model, Path file, Spec spec) throws IOException {
        if (spec.externalData()) model.writeWithExternalData(file, "model.onnx_data", 256);
        else model.writeTo(file);
    }

    private static ElemType floatType(Spec spec) { return spec.fp16() ? ElemType.FLOAT16 : ElemType.FLOAT; }

    /**
     * Embedding lookup. SD 1.x/2.x: {@code last_hidden_state} = lookup, {@code pooler_output} = Σ over tokens.
     * SDXL (both encoders): {@code hidden_states.0/1/2} = 0.25·, 1·, 3·lookup with half-strength colours; the
     * penultimate {@code hidden_states.1} is the one the pipeline must use. The second encoder's pooled
     * {@code text_embeds} = Σ over tokens of the penultimate states.
     */
    static OnnxModelBuilder textEncoder(Spec spec, ToyVocabulary vocab, int dim, boolean second) {
        boolean xl = spec.flavour() == Flavour.SDXL;
        float strength = xl ? 0.5f : 1f;
        float[] table = new float[vocab.size() * dim];
        for (var e : COLOURS.entrySet()) {
            int row = vocab.wordId(e.getKey());
            for (int i = 0; i < 4; i++) table[row * dim + i] = strength * e.getValue()[i];
        }
        Graph g = new Graph("toy_text_encoder", spec);
        g.b.input("input_ids", spec.idType(), "batch", "sequence");
        g.floatInitializer("embedding", new long[] {vocab.size(), dim}, table);
        g.b.node("Gather", List.of("embedding_f", "input_ids"), List.of("states"), Map.of("axis", new IntAttr(0)));
        g.constI64("token_axis", 1);
        if (!xl) {
            g.b.node("ReduceSum", List.of("states", "token_axis"), List.of("pooled"), Map.of("keepdims", new IntAttr(0)));
            g.floatOutput("states", "last_hidden_state", "batch", "sequence", dim);
            g.floatOutput("pooled", "pooler_output", "batch", dim);
            return g.b;
        }
        g.constF("quarter", 0.25f);
        g.constF("three", 3f);
        g.b.node("Mul", List.of("states", "quarter"), List.of("hidden0"));
        g.b.node("Mul", List.of("states", "three"), List.of("hidden2"));
        g.b.node("ReduceSum", List.of("states", "token_axis"), List.of("pooled"), Map.of("keepdims", new IntAttr(0)));
        if (second) g.floatOutput("pooled", "text_embeds", "batch", dim);
        g.floatOutput("hidden2", "last_hidden_state", "batch", "sequence", dim);
        if (!second) g.floatOutput("pooled", "pooler_output", "batch", dim);
        g.floatOutput("hidden0", "hidden_states.0", "batch", "sequence", dim);
        g.floatOutput("states", "hidden_states.1", "batch", "sequence", dim);
        g.floatOutput("hidden2", "hidden_states.2", "batch", "sequence", dim);
        return g.b;
    }

    /** Writes {@code alpha4} = √ᾱ_t and {@code beta4} = √(1−ᾱ_t), shaped [−1, 1, 1, 1], from the {@code timestep} input. */
    static void timestepScales(Graph g) {
        // σ(t) by linear interpolation in a table of the 1000 training timesteps, then √ᾱ = 1/√(1+σ²).
        double[] sig = sigmas();
        float[] table = new float[sig.length];
        for (int i = 0; i < sig.length; i++) table[i] = (float) sig[i];
        g.b.initializer("sigma_table", new long[] {table.length}, table);
        g.b.node("Cast", List.of("timestep"), List.of("t"), Map.of("to", new IntAttr(ElemType.FLOAT.code)));
        g.b.node("Floor", List.of("t"), List.of("t_floor"));
        g.b.node("Sub", List.of("t", "t_floor"), List.of("t_frac"));
        g.b.node("Cast", List.of("t_floor"), List.of("i0_raw"), Map.of("to", new IntAttr(ElemType.INT64.code)));
        g.constI64("zero_i", 0);
        g.constI64("one_i", 1);
        g.constI64("last_i", TRAIN_TIMESTEPS - 1);
        g.b.node("Max", List.of("i0_raw", "zero_i"), List.of("i0_low"));
        g.b.node("Min", List.of("i0_low", "last_i"), List.of("i0"));
        g.b.node("Add", List.of("i0", "one_i"), List.of("i1_raw"));
        g.b.node("Min", List.of("i1_raw", "last_i"), List.of("i1"));
        g.b.node("Gather", List.of("sigma_table", "i0"), List.of("s0"));
        g.b.node("Gather", List.of("sigma_table", "i1"), List.of("s1"));
        g.b.node("Sub", List.of("s1", "s0"), List.of("s_delta"));
        g.b.node("Mul", List.of("s_delta", "t_frac"), List.of("s_step"));
        g.b.node("Add", List.of("s0", "s_step"), List.of("sigma"));
        g.constF("one_f", 1f);
        g.b.node("Mul", List.of("sigma", "sigma"), List.of("sigma2"));
        g.b.node("Add", List.of("sigma2", "one_f"), List.of("sigma2_1"));
        g.b.node("Sqrt", List.of("sigma2_1"), List.of("root"));
        g.b.node("Reciprocal", List.of("root"), List.of("alpha"));          // √ᾱ
        g.b.node("Mul", List.of("sigma", "alpha"), List.of("beta"));         // √(1−ᾱ)
        g.constI64("col4", -1, 1, 1, 1);
        g.b.node("Reshape", List.of("alpha", "col4"), List.of("alpha4"));
        g.b.node("Reshape", List.of("beta", "col4"), List.of("beta4"));
    }

    static OnnxModelBuilder unet(Spec spec) {
        return unet(spec, 0, 0);
    }

    /**
     * The toy pipeline with a UNet of realistic cost at SD 1.5's sizes by default (512×512 pictures): besides the
     * analytic answer, {@code convLayers} 3×3 convolutions of {@code channels} channels run over the latents, and
     * their mean enters the output as {@code m − m}, a zero computed at run time, so ONNX Runtime cannot remove the
     * work while the answer stays exact. Use {@code Spec.sd15().withHiddenDim(768)} for SD 1.5's 77×768 text states.
     */
    public static Path writeWithCostlyUnet(Path dir, Spec spec, int convLayers, int channels) throws IOException {
        if (convLayers < 1 || channels < 1) throw new IllegalArgumentException("convLayers and channels must be ≥ 1");
        write(dir, spec);
        writeModel(unet(spec, convLayers, channels), dir.resolve("unet/model.onnx"), spec);
        int crossDim = spec.hiddenDim() + (spec.flavour() == Flavour.SDXL ? spec.hiddenDim2() : 0);
        writeJson(dir.resolve("unet/config.json"), "{\"in_channels\":4,\"out_channels\":4,\"sample_size\":64,"
                + "\"cross_attention_dim\":" + crossDim + "}");
        return dir;
    }

    /** Deterministic weights in [−scale, scale] (a small linear congruential sequence). */
    private static float[] weights(int n, float scale, long seed) {
        float[] w = new float[n];
        long x = seed;
        for (int i = 0; i < n; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            w[i] = scale * (((x >>> 40) / (float) (1 << 24)) * 2 - 1);
        }
        return w;
    }

    static OnnxModelBuilder unet(Spec spec, int convLayers, int channels) {
        boolean xl = spec.flavour() == Flavour.SDXL;
        int dim = spec.hiddenDim() + (xl ? spec.hiddenDim2() : 0);
        Graph g = new Graph("toy_unet", spec);
        Object batch = spec.unetBatchOne() ? (Object) 1 : "batch";
        g.floatInput("sample", "sample_f", batch, 4, "height", "width");
        ElemType tType = spec.timestepType() == ElemType.FLOAT ? floatType(spec) : spec.timestepType();
        if (spec.timestepPerSample()) g.b.input("timestep", tType, batch);
        else g.b.input("timestep", tType, 1);
        g.floatInput("encoder_hidden_states", "states_f", batch, "sequence", dim);

        timestepScales(g);

        // c = s · Σ_tokens states · P (P picks the first 4 dims; SDXL sums both encoders' parts).
        g.constI64("token_axis", 1);
        g.b.node("ReduceSum", List.of("states_f", "token_axis"), List.of("summed"), Map.of("keepdims", new IntAttr(0)));
        float s = (float) spec.scalingFactor();
        float[] p = new float[dim * 4];
        for (int i = 0; i < 4; i++) {
            p[i * 4 + i] = s;
            if (xl) p[(spec.hiddenDim() + i) * 4 + i] = s;
        }
        g.floatInitializer("projection", new long[] {dim, 4}, p);
        g.b.node("MatMul", List.of("summed", "projection_f"), List.of("c_text"));
        String c = "c_text";
        if (xl) {
            // pooled text_embeds add to the fourth channel; time_ids are consumed with weight 0.
            g.floatInput("text_embeds", "pooled_f", batch, spec.hiddenDim2());
            g.floatInput("time_ids", "time_ids_f", batch, 6);
            float[] q = new float[spec.hiddenDim2() * 4];
            q[3 * 4 + 3] = s;
            g.floatInitializer("pooled_projection", new long[] {spec.hiddenDim2(), 4}, q);
            g.b.node("MatMul", List.of("pooled_f", "pooled_projection_f"), List.of("c_pooled"));
            g.b.initializer("time_weight", new long[] {6, 4}, new float[24]);
            g.b.node("MatMul", List.of("time_ids_f", "time_weight"), List.of("c_time"));
            g.b.node("Add", List.of("c_text", "c_pooled"), List.of("c_sum"));
            g.b.node("Add", List.of("c_sum", "c_time"), List.of("c_all"));
            c = "c_all";
        }
        if (spec.guidanceEmbedding()) {
            g.floatInput("timestep_cond", "w_embedding_f", batch, 256);
            float[] q = new float[256 * 4];
            for (int i = 0; i < 256; i++) q[i * 4 + 3] = s * 0.001f;
            g.b.initializer("w_projection", new long[] {256, 4}, q);
            g.b.node("MatMul", List.of("w_embedding_f", "w_projection"), List.of("c_w"));
            g.b.node("Add", List.of(c, "c_w"), List.of("c_guided"));
            c = "c_guided";
        }
        g.constI64("shape_c", -1, 4, 1, 1);
        g.b.node("Reshape", List.of(c, "shape_c"), List.of("c4"));

        // ε = (x − √ᾱ c)/√(1−ᾱ); v = √ᾱ ε − √(1−ᾱ) c
        g.b.node("Mul", List.of("alpha4", "c4"), List.of("alpha_c"));
        g.b.node("Sub", List.of("sample_f", "alpha_c"), List.of("noise_part"));
        g.b.node("Div", List.of("noise_part", "beta4"), List.of("eps"));
        String out = "eps";
        if (spec.prediction() == Prediction.V_PREDICTION) {
            g.b.node("Mul", List.of("alpha4", "eps"), List.of("v_eps"));
            g.b.node("Mul", List.of("beta4", "c4"), List.of("v_c"));
            g.b.node("Sub", List.of("v_eps", "v_c"), List.of("v"));
            out = "v";
        }
        if (convLayers > 0) {
            String x = "sample_f";
            for (int layer = 0; layer < convLayers; layer++) {
                int in = layer == 0 ? 4 : channels;
                String w = "cost_w" + layer;
                g.b.initializer(w, new long[] {channels, in, 3, 3},
                        weights(channels * in * 9, (float) (1 / Math.sqrt(9.0 * in)), layer + 1));
                g.b.node("Conv", List.of(x, w), List.of("cost_conv" + layer),
                        Map.of("kernel_shape", new IntsAttr(3, 3), "pads", new IntsAttr(1, 1, 1, 1)));
                g.b.node("Relu", List.of("cost_conv" + layer), List.of("cost_act" + layer));
                x = "cost_act" + layer;
            }
            g.b.node("ReduceMean", List.of(x), List.of("cost_mean"), Map.of("keepdims", new IntAttr(0)));
            g.b.node("Sub", List.of("cost_mean", "cost_mean"), List.of("cost_zero"));
            g.b.node("Add", List.of(out, "cost_zero"), List.of("out_costly"));
            out = "out_costly";
        }
        g.floatOutput(out, "out_sample", batch, 4, "height", "width");
        return g.b;
    }

    /** latent [b,4,h,w] → image [b,3,8h,8w]: the first three channels, each repeated over an 8×8 block. */
    static OnnxModelBuilder vaeDecoder(Spec spec) {
        Graph g = new Graph("toy_vae_decoder", spec);
        g.floatInput("latent_sample", "latent_f", "batch", 4, "latent_height", "latent_width");
        float[] w = new float[4 * 3 * 64];
        for (int ch = 0; ch < 3; ch++) {
            for (int k = 0; k < 64; k++) w[(ch * 3 + ch) * 64 + k] = 1f;
        }
        g.floatInitializer("up", new long[] {4, 3, 8, 8}, w);
        g.b.node("ConvTranspose", List.of("latent_f", "up_f"), List.of("image"),
                Map.of("strides", new IntsAttr(8, 8), "kernel_shape", new IntsAttr(8, 8)));
        g.floatOutput("image", "sample", "batch", 3, "height", "width");
        return g.b;
    }

    /** image [b,3,H,W] → latent [b,4,H/8,W/8]: 8×8 block means into the first three channels, 0 in the fourth. */
    static OnnxModelBuilder vaeEncoder(Spec spec) {
        Graph g = new Graph("toy_vae_encoder", spec);
        g.floatInput("sample", "image_f", "batch", 3, "height", "width");
        float[] w = new float[4 * 3 * 64];
        for (int ch = 0; ch < 3; ch++) {
            for (int k = 0; k < 64; k++) w[(ch * 3 + ch) * 64 + k] = 1f / 64;
        }
        g.floatInitializer("down", new long[] {4, 3, 8, 8}, w);
        g.b.node("Conv", List.of("image_f", "down_f"), List.of("latent"),
                Map.of("strides", new IntsAttr(8, 8), "kernel_shape", new IntsAttr(8, 8)));
        g.floatOutput("latent", "latent_sample", "batch", 4, "latent_height", "latent_width");
        return g.b;
    }

    /** Graph helpers: float tensors are computed in float32 inside; fp16 variants cast at the edges. */
    static final class Graph {
        final OnnxModelBuilder b;
        final Spec spec;

        Graph(String name, Spec spec) {
            this.b = new OnnxModelBuilder(name);
            this.spec = spec;
        }

        void floatInput(String name, String asFloat, Object... dims) {
            b.input(name, floatType(spec), dims);
            if (spec.fp16()) b.node("Cast", List.of(name), List.of(asFloat), Map.of("to", new IntAttr(ElemType.FLOAT.code)));
            else b.node("Identity", List.of(name), List.of(asFloat));
        }

        void floatOutput(String from, String name, Object... dims) {
            if (spec.fp16()) b.node("Cast", List.of(from), List.of(name), Map.of("to", new IntAttr(ElemType.FLOAT16.code)));
            else b.node("Identity", List.of(from), List.of(name));
            b.output(name, floatType(spec), dims);
        }

        /** A weight stored as fp16 in fp16 variants; {@code name + "_f"} is its float32 value. */
        void floatInitializer(String name, long[] dims, float[] values) {
            if (spec.fp16()) {
                b.initializerFp16(name, dims, values);
                b.node("Cast", List.of(name), List.of(name + "_f"), Map.of("to", new IntAttr(ElemType.FLOAT.code)));
            } else {
                b.initializer(name, dims, values);
                b.node("Identity", List.of(name), List.of(name + "_f"));
            }
        }

        void constF(String name, float value) {
            b.initializer(name, new long[] {}, new float[] {value});
        }

        void constI64(String name, long... values) {
            b.initializer(name, new long[] {values.length}, values);
        }
    }
}
