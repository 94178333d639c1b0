package dev.atelier.core.image;

import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * Encoded image bytes as an ImageIO stream that stops a decoder which has lost its way: one that keeps reading past
 * the end (a damaged WebP makes TwelveMonkeys' lossless decoder swallow end-of-file and loop for good) or runs past a
 * deadline. Both end in an {@link ImageLoadException}, which decoders do not catch as they catch end-of-file.
 */
final class BoundedImageInput extends ImageInputStreamImpl {
    /** Bit readers may look a few bytes ahead of the data; a decoder reading this much past the end is lost. */
    static final int MAX_READS_PAST_END = 64 * 1024;
    private static final int CLOCK_EVERY = 4096;

    private final byte[] data;
    private final String source;
    private final long deadlineNanos;
    private final long budgetMillis;
    private int readsPastEnd;
    private int callsSinceClock;

    BoundedImageInput(byte[] data, String source, long budgetMillis) {
        this.data = data;
        this.source = source;
        this.budgetMillis = budgetMillis;
        this.deadlineNanos = System.nanoTime() + budgetMillis * 1_000_000L;
    }

    @Override
    public int read() {
        checkBudget();
        bitOffset = 0;
        if (streamPos >= data.length) {
            pastEnd();
            return -1;
        }
        return data[(int) streamPos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        checkBudget();
        bitOffset = 0;
        if (len == 0) return 0;
        if (streamPos >= data.length) {
            pastEnd();
            return -1;
        }
        int n = (int) Math.min(len, data.length - streamPos);
        System.arraycopy(data, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return data.length;
    }

    private void pastEnd() {
        if (++readsPastEnd > MAX_READS_PAST_END) {
            throw new ImageLoadException(source + " is damaged: its decoder kept reading past the end of the "
                    + data.length + "-byte file; re-save the image as PNG");
        }
    }

    private void checkBudget() {
        if (++callsSinceClock < CLOCK_EVERY) return;
        callsSinceClock = 0;
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new ImageLoadException(source + " took longer than " + budgetMillis / 1000.0
                    + " s to decode, so it is probably damaged; re-save the image as PNG");
        }
    }
}
