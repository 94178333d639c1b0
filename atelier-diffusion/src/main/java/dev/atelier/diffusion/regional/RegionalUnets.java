package dev.atelier.diffusion.regional;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UNet rewritten for regional attention ({@link CrossAttentionRewrite}), written once beside the original as
 * {@code model.regional-<hash>.onnx}, keyed by the original's content, so that it refers to the same external weight
 * files and a changed original is rewritten again.
 */
public final class RegionalUnets {
    private static final Logger log = LoggerFactory.getLogger(RegionalUnets.class);
    /** Bumped when the rewrite changes, so that older rewrites are not reused. */
    private static final String REWRITE_VERSION = "1";

    /**
     * The rewritten model's file and whether it was already there (blocks rewritten, −1 when reused); or, with
     * {@code file} null, why there is none, as the one line that was logged.
     */
    public record Prepared(Path file, boolean reused, int blocks, String fallback) {
        public boolean rewritten() { return file != null; }
    }

    private RegionalUnets() {}

    /** Where the rewrite of {@code original} lives (whether or not it exists yet). */
    public static Path rewrittenFile(Path original) {
        return original.resolveSibling(stem(original) + ".regional-" + hash(read(original)) + ".onnx");
    }

    /**
     * The rewritten UNet for {@code original}, written when absent; without a file (and with one log line) when the
     * model has no cross-attention pattern to rewrite, so that the caller renders in latent mode.
     */
    public static Prepared prepare(Path original) {
        byte[] bytes = read(original);
        Path target = original.resolveSibling(stem(original) + ".regional-" + hash(bytes) + ".onnx");
        if (Files.isRegularFile(target)) return new Prepared(target, true, -1, null);
        Optional<CrossAttentionRewrite.Result> result;
        try {
            result = CrossAttentionRewrite.rewrite(bytes);
        } catch (IllegalArgumentException e) {
            return fallback("regional attention: " + original + " could not be read (" + e.getMessage()
                    + "); rendering regions in latent mode");
        }
        if (result.isEmpty()) {
            return fallback("regional attention: no cross-attention softmax found in " + original
                    + " (fused or unknown attention); rendering regions in latent mode");
        }
        try {
            Path temp = Files.createTempFile(original.toAbsolutePath().getParent(), "regional-", ".tmp");
            Files.write(temp, result.get().model());
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AtelierException("cannot write the regional-attention UNet beside " + original + " (" + e.getMessage()
                    + "); make the model directory writable or use --regional-mode latent");
        }
        log.info("regional attention: rewrote {} cross-attention blocks of {} into {}", result.get().blocks(), original,
                target.getFileName());
        return new Prepared(target, false, result.get().blocks(), null);
    }

    private static Prepared fallback(String line) {
        log.info(line);
        return new Prepared(null, false, 0, line);
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AtelierException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String hash(byte[] bytes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(REWRITE_VERSION.getBytes());
            return HexFormat.of().formatHex(sha.digest(bytes), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
