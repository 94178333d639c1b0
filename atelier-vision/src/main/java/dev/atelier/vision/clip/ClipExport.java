package dev.atelier.vision.clip;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the parts of a CLIP ONNX export lie: one {@code model.onnx} (CLIPModel: both towers) or
 * {@code text_model.onnx} + {@code vision_model.onnx} (the *WithProjection towers), at the folder's root or under
 * {@code onnx/}; the tokenizer ({@code vocab.json} + {@code merges.txt}) at the root or under {@code tokenizer/};
 * {@code preprocessor_config.json} at the root, if any. Where a folder holds both layouts the split files are used,
 * since they embed text without running the vision tower.
 *
 * @param root               the folder given
 * @param layout             which layout was found
 * @param model              {@code model.onnx} for {@link Layout#SINGLE}, else {@code null}
 * @param textModel          {@code text_model.onnx} for {@link Layout#SPLIT}, else {@code null}
 * @param visionModel        {@code vision_model.onnx} for {@link Layout#SPLIT}, else {@code null}
 * @param tokenizerDir       the folder holding vocab.json and merges.txt
 * @param preprocessorConfig preprocessor_config.json, or {@code null} when the export has none
 */
public record ClipExport(Path root, Layout layout, Path model, Path textModel, Path visionModel, Path tokenizerDir,
                         Path preprocessorConfig) {

    public enum Layout { SINGLE, SPLIT }

    /** Finds the export's plain (unsuffixed) files, or fails in one line naming what was expected and found. */
    public static ClipExport locate(Path root) {
        return locate(root, "");
    }

    /**
     * Finds the export's files of a variant: {@code "quantized"} looks for {@code model_quantized.onnx} or
     * {@code text_model_quantized.onnx} + {@code vision_model_quantized.onnx}; {@code ""} for the plain names.
     */
    public static ClipExport locate(Path root, String variant) {
        if (!variant.matches("[A-Za-z0-9_]*")) {
            throw new AtelierException("CLIP file variant '" + variant + "' is not a file-name suffix such as quantized or fp16");
        }
        String suffix = variant.isEmpty() ? "" : "_" + variant;
        String singleFile = "model" + suffix + ".onnx";
        String textFile = "text_model" + suffix + ".onnx";
        String visionFile = "vision_model" + suffix + ".onnx";
        if (!Files.isDirectory(root)) {
            throw new AtelierException("CLIP model folder " + root + " does not exist; give a folder holding a CLIP ONNX export"
                    + " (model.onnx, or text_model.onnx and vision_model.onnx)");
        }
        Path tokenizer = tokenizerDir(root);
        Path preprocessor = Files.isRegularFile(root.resolve("preprocessor_config.json")) ? root.resolve("preprocessor_config.json") : null;
        for (Path dir : List.of(root, root.resolve("onnx"))) {
            boolean text = Files.isRegularFile(dir.resolve(textFile));
            boolean vision = Files.isRegularFile(dir.resolve(visionFile));
            if (text && vision) {
                return new ClipExport(root, Layout.SPLIT, null, dir.resolve(textFile), dir.resolve(visionFile),
                        requireTokenizer(root, tokenizer), preprocessor);
            }
            if (text || vision) {
                throw new AtelierException(root + " holds " + root.relativize(dir.resolve(text ? textFile : visionFile))
                        + " but not " + (text ? visionFile : textFile) + " beside it; a split CLIP export needs both towers");
            }
            if (Files.isRegularFile(dir.resolve(singleFile))) {
                return new ClipExport(root, Layout.SINGLE, dir.resolve(singleFile), null, null,
                        requireTokenizer(root, tokenizer), preprocessor);
            }
        }
        throw new AtelierException(root + " is not a CLIP ONNX export: expected " + singleFile + ", or " + textFile
                + " and " + visionFile + ", at its root or under onnx/; found " + describeOnnxFiles(root));
    }

    /** The folder holding vocab.json + merges.txt, or {@code null}. */
    private static Path tokenizerDir(Path root) {
        for (Path dir : List.of(root, root.resolve("tokenizer"))) {
            if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) return dir;
        }
        return null;
    }

    private static Path requireTokenizer(Path root, Path tokenizer) {
        if (tokenizer == null) {
            throw new AtelierException(root + " has no CLIP tokenizer: expected vocab.json and merges.txt at its root or"
                    + " under tokenizer/; download the export's tokenizer files too");
        }
        return tokenizer;
    }

    private static String describeOnnxFiles(Path root) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 3)) {
            files.filter(p -> p.getFileName().toString().endsWith(".onnx"))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .limit(8)
                    .forEach(found::add);
        } catch (IOException e) {
            return "a folder that cannot be listed (" + e.getMessage() + ")";
        }
        return found.isEmpty() ? "no .onnx files" : String.join(", ", found);
    }
}
