package dev.atelier.llm.openai;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * Closes the wrapped stream when no byte arrives for longer than a limit, so a server that stalls in the middle of
 * an answer ends the read with an error instead of blocking forever ({@link java.net.http.HttpRequest#timeout} only
 * covers the wait for the response headers).
 */
final class IdleTimeoutInputStream extends FilterInputStream {
    private final long limitNanos;
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean finished;
    private volatile boolean timedOut;

    IdleTimeoutInputStream(InputStream in, Duration limit) {
        super(in);
        this.limitNanos = limit.toNanos();
        long checkMillis = Math.max(10, Math.min(1000, limit.toMillis() / 4));
        Thread.ofVirtual().name("atelier-http-idle-watchdog").start(() -> watch(checkMillis));
    }

    private void watch(long checkMillis) {
        try {
            while (!finished) {
                Thread.sleep(checkMillis);
                if (!finished && System.nanoTime() - lastActivity > limitNanos) {
                    timedOut = true;
                    super.close();
                    return;
                }
            }
        } catch (InterruptedException | IOException e) {
            // the read side reports what happened
        }
    }

    /** The stream was closed because it stalled. */
    boolean timedOut() { return timedOut; }

    @Override
    public int read() throws IOException {
        int b = super.read();
        lastActivity = System.nanoTime();
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        lastActivity = System.nanoTime();
        return n;
    }

    @Override
    public void close() throws IOException {
        finished = true;
        super.close();
    }
}
