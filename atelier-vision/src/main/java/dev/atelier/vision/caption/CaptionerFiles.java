package dev.atelier.vision.caption;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the ONNX files of a vision-encoder-decoder export lie (Hugging Face optimum's names, at the folder's root
 * or under {@code onnx/} as Transformers.js repositories keep them): the encoder, and the merged decoder, or the
 * first-step decoder with or without its with-past twin. A merged decoder is preferred (one model in memory).
 */
record CaptionerFiles(Path encoder, Optional<Path> decoder, Optional<Path> decoderWithPast, Optional<Path> mergedDecoder) {

    static final String ENCODER = "encoder_model.onnx";
    static final String DECODER = "decoder_model.onnx";
    static final String DECODER_WITH_PAST = "decoder_with_past_model.onnx";
    static final String MERGED_DECODER = "decoder_model_merged.onnx";

    enum Kind { MERGED, SPLIT_WITH_PAST, NO_PAST }

    Kind kind() {
        if (mergedDecoder.isPresent()) return Kind.MERGED;
        return decoderWithPast.isPresent() ? Kind.SPLIT_WITH_PAST : Kind.NO_PAST;
    }

    static CaptionerFiles find(Path dir) { return find(dir, ""); }

    /**
     * @param variant the suffix of the files to use, as Transformers.js repositories name them ({@code quantized}
     *                for {@code encoder_model_quantized.onnx} …, {@code fp16}); empty for the plain files
     */
    static CaptionerFiles find(Path dir, String variant) {
        if (!Files.isDirectory(dir)) {
            throw new AtelierException("captioning model folder not found: " + dir + " — give the folder of a"
                    + " vision-encoder-decoder ONNX export (for example Xenova/vit-gpt2-image-captioning)");
        }
        for (Path folder : List.of(dir, dir.resolve("onnx"))) {
            Path encoder = folder.resolve(named(ENCODER, variant));
            if (!Files.isRegularFile(encoder)) continue;
            Optional<Path> merged = existing(folder.resolve(named(MERGED_DECODER, variant)));
            Optional<Path> decoder = existing(folder.resolve(named(DECODER, variant)));
            Optional<Path> withPast = existing(folder.resolve(named(DECODER_WITH_PAST, variant)));
            if (merged.isPresent()) return new CaptionerFiles(encoder, Optional.empty(), Optional.empty(), merged);
            if (decoder.isPresent()) return new CaptionerFiles(encoder, decoder, withPast, Optional.empty());
        }
        throw new AtelierException(dir + " is not a vision-encoder-decoder ONNX export: expected " + named(ENCODER, variant)
                + " with " + named(DECODER, variant) + " or " + named(MERGED_DECODER, variant)
                + " at its root or under onnx/ (it holds " + listing(dir) + ")");
    }

    /** {@code decoder_model.onnx} with variant {@code quantized} is {@code decoder_model_quantized.onnx}. */
    static String named(String file, String variant) {
        return variant.isEmpty() ? file : file.replace(".onnx", "_" + variant + ".onnx");
    }

    private static Optional<Path> existing(Path p) {
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    private static String listing(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : "")).sorted().toList();
            if (names.isEmpty()) return "nothing";
            return String.join(", ", names.size() > 10 ? names.subList(0, 10) : names) + (names.size() > 10 ? ", …" : "");
        } catch (IOException e) {
            return "files that cannot be listed";
        }
    }
}
