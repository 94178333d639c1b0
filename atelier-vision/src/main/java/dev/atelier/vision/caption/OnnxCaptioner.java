package dev.atelier.vision.caption;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.vision.preprocess.ImagePreprocessor;
import dev.atelier.vision.text.Gpt2Tokenizer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Captions pictures in process with a vision-encoder-decoder ONNX export in Hugging Face optimum's layout (for
 * example ViT-GPT2): the picture is preprocessed as its {@code preprocessor_config.json} says, encoded once, and
 * decoded greedily or by beam search (past key values fed back when the export has them) with the generation
 * settings of its {@code generation_config.json}; the tokens are read back with its {@code tokenizer.json}.
 * Not thread-safe: one caption at a time.
 */
public final class OnnxCaptioner implements Captioner {

    /**
     * @param sessions  device and threads of the ONNX Runtime sessions
     * @param numBeams  beams, overriding the model's {@code num_beams} (null keeps it)
     * @param maxLength most tokens, start token included, overriding the model's {@code max_length} (null keeps it)
     * @param variant   which files of a repository holding several: "" for {@code encoder_model.onnx} …,
     *                  {@code quantized} for {@code encoder_model_quantized.onnx} …, {@code fp16} …
     */
    public record Options(SessionSettings sessions, Integer numBeams, Integer maxLength, String variant) {
        public Options {
            if (variant == null || !variant.matches("[A-Za-z0-9_]*")) {
                throw new AtelierException("model file variant '" + variant + "' is not a file name suffix such as quantized or fp16");
            }
        }

        public static Options defaults() { return new Options(SessionSettings.defaults(), null, null, ""); }

        public Options withNumBeams(int n) { return new Options(sessions, n, maxLength, variant); }

        public Options withMaxLength(int n) { return new Options(sessions, numBeams, n, variant); }

        public Options withSessions(SessionSettings s) { return new Options(s, numBeams, maxLength, variant); }

        public Options withVariant(String v) { return new Options(sessions, numBeams, maxLength, v); }
    }

    private final Path dir;
    private final ImagePreprocessor preprocessor;
    private final Gpt2Tokenizer tokenizer;
    private final GenerationSettings generation;
    private final OnnxPart encoder;
    private final OnnxDecoder decoder;

    private OnnxCaptioner(Path dir, ImagePreprocessor preprocessor, Gpt2Tokenizer tokenizer, GenerationSettings generation,
                          OnnxPart encoder, OnnxDecoder decoder) {
        this.dir = dir;
        this.preprocessor = preprocessor;
        this.tokenizer = tokenizer;
        this.generation = generation;
        this.encoder = encoder;
        this.decoder = decoder;
    }

    public static OnnxCaptioner open(Path dir) { return open(dir, Options.defaults()); }

    /** @throws AtelierException when the folder is not a vision-encoder-decoder export or misses its config files */
    public static OnnxCaptioner open(Path dir, Options options) {
        CaptionerFiles files = CaptionerFiles.find(dir, options.variant());
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(dir);
        GenerationSettings generation = GenerationSettings.read(dir);
        if (options.numBeams() != null) generation = generation.withNumBeams(options.numBeams());
        if (options.maxLength() != null) generation = generation.withMaxLength(options.maxLength());
        ImagePreprocessor preprocessor = ImagePreprocessor.forModel(dir, ImagePreprocessor.vitDefaults());
        JsonNode config = GenerationSettings.readJson(dir.resolve("config.json"));
        OnnxPart encoder = OnnxPart.open("encoder", files.encoder(), options.sessions());
        try {
            if (!encoder.inputs().containsKey("pixel_values")) throw encoder.notACaptioner("has no input 'pixel_values'");
            if (encoder.outputs().isEmpty()) throw encoder.notACaptioner("has no outputs");
            return new OnnxCaptioner(dir, preprocessor, tokenizer, generation, encoder,
                    new OnnxDecoder(files, config, options.sessions()));
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    /** The generation settings in use (the model's, with any overrides). */
    public GenerationSettings generation() { return generation; }

    public Gpt2Tokenizer tokenizer() { return tokenizer; }

    /**
     * One sentence about the picture.
     *
     * @throws AtelierException when the model says nothing (its first token ends the caption)
     */
    @Override
    public String caption(BufferedImage image) {
        String text = tokenizer.decode(captionTokens(image), true).strip();
        if (text.isEmpty()) {
            throw new AtelierException("the captioning model in " + dir + " produced no text for this picture; check"
                    + " that its tokenizer.json and generation_config.json belong to the same model, or try another model");
        }
        return text;
    }

    /** The caption's token ids, without the start and end tokens. */
    public List<Integer> captionTokens(BufferedImage image) {
        Tensor.Floats pixels = preprocessor.pixelValues(image);
        Map<String, Tensor.Floats> encoded = encoder.run(Map.of("pixel_values", pixels));
        Tensor.Floats states = encoded.containsKey("last_hidden_state") ? encoded.get("last_hidden_state")
                : encoded.values().iterator().next();
        return TokenSearch.generate(decoder.start(states), generation);
    }

    @Override
    public void close() {
        try {
            decoder.close();
        } finally {
            encoder.close();
        }
    }
}
