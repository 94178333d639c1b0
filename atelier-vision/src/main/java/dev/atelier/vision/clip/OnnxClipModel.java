package dev.atelier.vision.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.OrtSessions;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.diffusion.onnx.TensorSpec;
import dev.atelier.diffusion.tokenizer.ClipTokenizer;
import dev.atelier.vision.preprocess.ImagePreprocessor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CLIP on ONNX Runtime: a {@link ClipExport} folder's towers, its tokenizer and its declared preprocessing. Texts
 * are encoded as start token, ids, end token, then the pad token up to 77 (or the length the model fixes), with an
 * {@code attention_mask} of ones over the real tokens when the model takes one; ids go in whatever integer type
 * the model declares. Embeddings are L2-normalised here, whether or not the export normalised them. With the single
 * {@code model.onnx}, whose graph needs both inputs, the other tower gets a small constant input.
 * Thread-safe: runs are serialised.
 */
public final class OnnxClipModel implements ImageTextEmbedder {

    /** Output names of projected embeddings, preferred first. */
    private static final List<String> TEXT_OUTPUTS = List.of("text_embeds", "text_features");
    private static final List<String> IMAGE_OUTPUTS = List.of("image_embeds", "image_features");
    private static final int BATCH = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClipExport export;
    private final ModelSession textSession;
    private final ModelSession visionSession;
    private final ClipTokenizer tokenizer;
    private final ImagePreprocessor preprocessor;
    private final String textOutput;
    private final String imageOutput;
    private final boolean textMask;
    private final int sequenceLength;
    private final int dimension;
    private final String modelId;
    /** Single layout only: the constant input of the tower not being asked for. */
    private final Tensor.Floats idlePixels;
    private final Tokens idleTokens;

    private OnnxClipModel(ClipExport export, SessionSettings settings) {
        this.export = export;
        this.tokenizer = ClipTokenizer.fromHuggingFaceDir(export.tokenizerDir());
        this.preprocessor = export.preprocessorConfig() != null
                ? ImagePreprocessor.fromFile(export.preprocessorConfig()) : ImagePreprocessor.clipDefaults();
        List<ModelSession> opened = new ArrayList<>();
        try {
            if (export.layout() == ClipExport.Layout.SINGLE) {
                ModelSession both = OrtSessions.open("CLIP model.onnx", export.model(), settings);
                opened.add(both);
                textSession = both;
                visionSession = both;
            } else {
                textSession = OrtSessions.open("CLIP text_model.onnx", export.textModel(), settings);
                opened.add(textSession);
                visionSession = OrtSessions.open("CLIP vision_model.onnx", export.visionModel(), settings);
                opened.add(visionSession);
            }
            requireInput(textSession, "input_ids");
            requireInput(visionSession, "pixel_values");
            textOutput = embeddingOutput(textSession, TEXT_OUTPUTS, "text");
            imageOutput = embeddingOutput(visionSession, IMAGE_OUTPUTS, "image");
            rejectUnknownInputs();
            requireMatchingImageSize();
            textMask = textSession.input("attention_mask").isPresent();
            TensorSpec ids = textSession.requireInput("input_ids");
            sequenceLength = ids.rank() == 2 && ids.isFixed(1) ? (int) ids.dim(1) : tokenizer.maxLength();
            if (sequenceLength < 2) {
                throw new AtelierException(textSession.name() + " fixes input_ids to " + sequenceLength
                        + " tokens; CLIP needs at least the start and end tokens");
            }
            if (export.layout() == ClipExport.Layout.SINGLE) {
                int[] hw = idleImageSize();
                idlePixels = Tensor.of(new float[3 * hw[0] * hw[1]], 1, 3, hw[0], hw[1]);
                idleTokens = tokens(List.of(""));
            } else {
                idlePixels = null;
                idleTokens = null;
            }
            dimension = resolveDimension();
            modelId = name() + "@" + fingerprint();
        } catch (RuntimeException e) {
            for (ModelSession s : opened) s.close();
            throw e;
        }
    }

    /** Opens the CLIP export in {@code dir} on the CPU. */
    public static OnnxClipModel open(Path dir) {
        return open(dir, SessionSettings.defaults());
    }

    /**
     * Opens the CLIP export in {@code dir}.
     *
     * @throws AtelierException when the folder is not a CLIP export of a known layout, or its files cannot be read
     */
    public static OnnxClipModel open(Path dir, SessionSettings settings) {
        return new OnnxClipModel(ClipExport.locate(dir), settings);
    }

    /**
     * Opens a variant of the export's ONNX files, e.g. {@code quantized} or {@code fp16} for
     * {@code text_model_quantized.onnx}; an empty variant means the plain files.
     */
    public static OnnxClipModel open(Path dir, SessionSettings settings, String variant) {
        return new OnnxClipModel(ClipExport.locate(dir, variant), settings);
    }

    public ClipExport export() { return export; }

    public ImagePreprocessor preprocessor() { return preprocessor; }

    @Override
    public int dimension() { return dimension; }

    @Override
    public String modelId() { return modelId; }

    @Override
    public float[] embedText(String text) {
        return embedTexts(List.of(text)).getFirst();
    }

    @Override
    public float[] embedImage(BufferedImage image) {
        return embedImages(List.of(image)).getFirst();
    }

    /** Normalised embeddings of several texts, in order (run in batches). */
    @Override
    public List<float[]> embedTexts(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += BATCH) {
            List<String> part = texts.subList(from, Math.min(texts.size(), from + BATCH));
            Tokens t = tokens(part);
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            feeds.put("input_ids", t.ids);
            if (textMask) feeds.put("attention_mask", t.mask);
            if (idlePixels != null) feeds.put("pixel_values", idlePixels);
            out.addAll(rows(run(textSession, feeds, textOutput), part.size()));
        }
        return out;
    }

    /**
     * Normalised embeddings of several pictures, in order. Pictures are batched when the preprocessing gives
     * them one size (a centre crop or a fixed size), else embedded one by one.
     */
    @Override
    public List<float[]> embedImages(List<BufferedImage> images) {
        List<float[]> out = new ArrayList<>(images.size());
        boolean sameSize = preprocessor.centerCrop()
                || (preprocessor.resize() && preprocessor.size() instanceof ImagePreprocessor.Size.Exact);
        int step = sameSize ? BATCH : 1;
        for (int from = 0; from < images.size(); from += step) {
            List<BufferedImage> part = images.subList(from, Math.min(images.size(), from + step));
            Tensor.Floats pixels;
            try {
                pixels = preprocessor.pixelValues(part);
            } catch (AtelierException e) {
                // pictures of different sizes without a resize: fall back to one at a time
                for (BufferedImage img : part) out.addAll(embedPixels(preprocessor.pixelValues(img), 1));
                continue;
            }
            out.addAll(embedPixels(pixels, part.size()));
        }
        return out;
    }

    private List<float[]> embedPixels(Tensor.Floats pixels, int count) {
        return rows(run(visionSession, imageFeeds(pixels), imageOutput), count);
    }

    /** pixel_values, and with the single model.onnx the idle text tower's input. */
    private Map<String, Tensor> imageFeeds(Tensor.Floats pixels) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        feeds.put("pixel_values", pixels);
        if (idleTokens != null) {
            feeds.put("input_ids", idleTokens.ids);
            if (textMask) feeds.put("attention_mask", idleTokens.mask);
        }
        return feeds;
    }

    @Override
    public void close() {
        synchronized (this) {
            textSession.close();
            if (visionSession != textSession) visionSession.close();
        }
    }

    // ---------------------------------------------------------------- internals

    private record Tokens(Tensor.Longs ids, Tensor.Longs mask) {}

    /** Start, ids (cut to fit), end, then padding, one row per text; the mask covers start to end. */
    private Tokens tokens(List<String> texts) {
        int n = texts.size();
        long[] ids = new long[n * sequenceLength];
        long[] mask = new long[n * sequenceLength];
        Arrays.fill(ids, tokenizer.padId());
        for (int row = 0; row < n; row++) {
            int[] body = tokenizer.encode(texts.get(row));
            int kept = Math.min(body.length, sequenceLength - 2);
            int base = row * sequenceLength;
            ids[base] = tokenizer.bosId();
            for (int i = 0; i < kept; i++) ids[base + 1 + i] = body[i];
            ids[base + kept + 1] = tokenizer.eosId();
            for (int i = 0; i <= kept + 1; i++) mask[base + i] = 1;
        }
        return new Tokens(Tensor.ofLongs(ids, n, sequenceLength), Tensor.ofLongs(mask, n, sequenceLength));
    }

    private synchronized Tensor.Floats run(ModelSession session, Map<String, Tensor> feeds, String output) {
        Tensor.Floats result = session.run(feeds, Set.of(output)).get(output);
        if (result == null) throw new AtelierException(session.name() + " returned no " + output);
        return result;
    }

    /** Splits a [n, D] output into L2-normalised rows. */
    private static List<float[]> rows(Tensor.Floats t, int n) {
        long[] shape = t.shape();
        if (shape.length != 2 || shape[0] != n) {
            throw new AtelierException("the CLIP model returned embeddings of shape " + Arrays.toString(shape)
                    + " for " + n + " inputs; expected [" + n + ", D] — this is not a projected CLIP export");
        }
        int d = (int) shape[1];
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] v = Arrays.copyOfRange(t.data(), i * d, (i + 1) * d);
            out.add(normalise(v));
        }
        return out;
    }

    /** Scales to unit length; a zero vector (nothing the model recognised) stays zero, so its similarities are 0. */
    static float[] normalise(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        if (sum == 0 || !Double.isFinite(sum)) return v;
        double inv = 1 / Math.sqrt(sum);
        for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] * inv);
        return v;
    }

    private static void requireInput(ModelSession session, String name) {
        if (session.input(name).isEmpty()) {
            throw new AtelierException(session.name() + " has no input '" + name + "' (it declares " + session.inputs()
                    + "); expected a CLIP export taking input_ids" + (name.equals("pixel_values") ? " and pixel_values" : ""));
        }
    }

    private static String embeddingOutput(ModelSession session, List<String> names, String kind) {
        for (String name : names) {
            if (session.output(name).isPresent()) return name;
        }
        boolean unprojected = session.output("pooler_output").isPresent() || session.output("last_hidden_state").isPresent();
        throw new AtelierException(session.name() + " has no output " + names.getFirst() + " (it declares "
                + session.outputs() + ")" + (unprojected
                ? "; it is a CLIP tower exported without its projection: export CLIP"
                        + (kind.equals("text") ? "Text" : "Vision") + "ModelWithProjection, or the whole CLIPModel"
                : "; expected a CLIP export with " + kind + " embeddings"));
    }

    private void rejectUnknownInputs() {
        Set<String> known = Set.of("input_ids", "attention_mask", "pixel_values");
        for (ModelSession s : textSession == visionSession ? List.of(textSession) : List.of(textSession, visionSession)) {
            for (TensorSpec in : s.inputs()) {
                if (!known.contains(in.name())) {
                    throw new AtelierException(s.name() + " takes an input '" + in.name() + "' that CLIP exports do not"
                            + " have (known: input_ids, attention_mask, pixel_values); this is not a CLIP export Atelier can run");
                }
            }
        }
        if (visionSession != textSession && visionSession.input("input_ids").isPresent()) {
            throw new AtelierException(visionSession.name() + " takes input_ids; expected the vision tower alone");
        }
    }

    /** A model fixed to one picture size must get that size from the preprocessing. */
    private void requireMatchingImageSize() {
        TensorSpec pixels = visionSession.requireInput("pixel_values");
        if (pixels.rank() != 4 || !pixels.isFixed(2) || !pixels.isFixed(3)) return;
        boolean fixedOutput = preprocessor.centerCrop()
                || (preprocessor.resize() && preprocessor.size() instanceof ImagePreprocessor.Size.Exact);
        int[] out = preprocessor.outputSize(pixels.dim(2) > 0 ? (int) pixels.dim(2) : 224, pixels.dim(3) > 0 ? (int) pixels.dim(3) : 224);
        if (fixedOutput && (out[0] != pixels.dim(2) || out[1] != pixels.dim(3))) {
            throw new AtelierException("the preprocessing gives " + out[0] + "x" + out[1] + " pictures but "
                    + visionSession.name() + " takes " + pixels.dim(2) + "x" + pixels.dim(3)
                    + "; the export's preprocessor_config.json does not belong to it");
        }
    }

    private int[] idleImageSize() {
        TensorSpec pixels = visionSession.requireInput("pixel_values");
        if (pixels.rank() == 4 && pixels.isFixed(2) && pixels.isFixed(3)) {
            return new int[] {(int) pixels.dim(2), (int) pixels.dim(3)};
        }
        return preprocessor.outputSize(224, 224);
    }

    private int resolveDimension() {
        long textDim = declaredDim(textSession, textOutput);
        long imageDim = declaredDim(visionSession, imageOutput);
        if (textDim < 0) textDim = embedTexts(List.of("")).getFirst().length;
        if (imageDim < 0) imageDim = imageDimByRunning();
        if (textDim != imageDim) {
            throw new AtelierException("the CLIP export's text embeddings have " + textDim + " values and its image"
                    + " embeddings " + imageDim + "; the towers do not belong to one model");
        }
        return (int) textDim;
    }

    private long imageDimByRunning() {
        int[] hw = idleImageSize();
        Tensor.Floats pixels = Tensor.of(new float[3 * hw[0] * hw[1]], 1, 3, hw[0], hw[1]);
        return run(visionSession, imageFeeds(pixels), imageOutput).shape()[1];
    }

    private static long declaredDim(ModelSession session, String output) {
        TensorSpec spec = session.requireOutput(output);
        return spec.rank() == 2 && spec.isFixed(1) ? spec.dim(1) : -1;
    }

    /** The model's name from its config.json ({@code _name_or_path}), else "clip". */
    private String name() {
        Path config = export.root().resolve("config.json");
        if (Files.isRegularFile(config)) {
            try {
                JsonNode root = JSON.readTree(config.toFile());
                String name = root.path("_name_or_path").asText("");
                if (!name.isBlank()) return name.replace('\\', '/');
            } catch (IOException | RuntimeException ignored) {
                // a broken config.json does not stop embedding; the id falls back to the generic name
            }
        }
        return "clip";
    }

    /**
     * A digest of what decides the embeddings: the ONNX files (size, first and last MiB — hashing gigabytes at
     * every start would be slow), the vocabulary and the preprocessing.
     */
    private String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            List<Path> files = new ArrayList<>();
            if (export.model() != null) files.add(export.model());
            if (export.textModel() != null) files.add(export.textModel());
            if (export.visionModel() != null) files.add(export.visionModel());
            for (Path f : files) digestEnds(sha, f);
            sha.update(Files.readAllBytes(export.tokenizerDir().resolve("vocab.json")));
            sha.update(preprocessor.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (IOException e) {
            throw new AtelierException("cannot read the CLIP export in " + export.root() + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void digestEnds(MessageDigest sha, Path file) throws IOException {
        long size = Files.size(file);
        sha.update(file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        sha.update(Long.toString(size).getBytes(StandardCharsets.UTF_8));
        int window = 1 << 20;
        try (InputStream in = Files.newInputStream(file)) {
            sha.update(in.readNBytes(window));
        }
        if (size > window) {
            try (var ch = Files.newByteChannel(file)) {
                ch.position(Math.max(window, size - window));
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(window, size - window));
                while (buf.hasRemaining() && ch.read(buf) > 0) { /* fill */ }
                buf.flip();
                sha.update(buf);
            }
        }
    }
}
