package dev.atelier.app.server;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One subscriber to a job's server-sent events, written with non-blocking servlet output: no thread waits for the
 * client. Events are written as they come while the client keeps up; when its connection stops taking bytes, the
 * subscriber falls behind and, once it can take more, gets only the newest progress event of those it missed (the
 * queued, result and error events always). {@link #done()} completes when the last event is written or the client
 * has gone; a client that goes releases its hold on the job.
 */
final class EventStream implements RenderJob.Listener, WriteListener, AsyncListener {
    private static final byte[] KEEP_ALIVE = ": waiting\n\n".getBytes(StandardCharsets.US_ASCII);

    /** Told once when a stream ends; {@code delivered} is true when the client got the last event. */
    interface Ending {
        void ended(EventStream stream, boolean delivered);
    }

    private final RenderJob job;
    private final ServletOutputStream out;
    private final Ending ending;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private int next;
    private boolean behind;
    private boolean unflushed;
    private boolean lastWritten;
    private boolean keepAliveDue;
    private boolean closed;
    private int skipped;

    EventStream(RenderJob job, ServletOutputStream out, Ending ending) {
        this.job = job;
        this.out = out;
        this.ending = ending;
    }

    RenderJob job() { return job; }

    CompletableFuture<Void> done() { return done; }

    /** Starts writing: events so far at once, later ones as they are published. */
    void start() {
        job.listen(this);
        out.setWriteListener(this); // Jetty calls onWritePossible once the output can take bytes
    }

    /** Sends a keep-alive comment when the stream is idle, so that proxies keep it and a gone client is noticed. */
    void keepAlive() {
        synchronized (this) {
            keepAliveDue = true;
        }
        pump();
    }

    @Override
    public void onEvent() {
        pump();
    }

    @Override
    public void onWritePossible() {
        pump();
    }

    /** Writes what there is to write while the output takes it; never blocks. */
    private void pump() {
        boolean complete = false;
        synchronized (this) {
            if (closed) return;
            try {
                while (out.isReady()) {
                    RenderJob.Event event = nextEvent();
                    if (event != null) {
                        out.write(event.frame());
                        unflushed = true;
                        if (event.last()) lastWritten = true;
                    } else if (unflushed) {
                        unflushed = false;
                        out.flush(); // completes later when the client is slow: isReady() says when
                    } else if (lastWritten) {
                        complete = true;
                        break;
                    } else if (keepAliveDue) {
                        keepAliveDue = false;
                        out.write(KEEP_ALIVE);
                        unflushed = true;
                    } else {
                        behind = false;
                        return;
                    }
                }
                if (!complete && next < job.eventCount()) behind = true;
            } catch (IOException | IllegalStateException e) {
                complete = false;
                closeQuietly();
                end(false);
                return;
            }
        }
        if (complete) end(true);
    }

    /** The next event to write, skipping progress that a newer event has overtaken while the client was behind. */
    private RenderJob.Event nextEvent() {
        int count = job.eventCount();
        while (next < count) {
            RenderJob.Event event = job.event(next++);
            if (behind && event.thinnable() && next < count) {
                skipped++;
                continue;
            }
            return event;
        }
        return null;
    }

    /** Progress events this subscriber did not get because it fell behind. */
    synchronized int skipped() { return skipped; }

    /** The client closed its connection. */
    void hungUp() {
        closeQuietly();
        end(false);
    }

    @Override
    public void onError(Throwable failure) {
        end(false);
    }

    @Override
    public void onError(AsyncEvent event) {
        end(false);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        end(false);
    }

    @Override
    public void onComplete(AsyncEvent event) {
        end(lastWritten());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}

    private synchronized boolean lastWritten() { return lastWritten; }

    private void closeQuietly() {
        try {
            out.close();
        } catch (IOException | IllegalStateException ignored) {
            // the client is gone already
        }
    }

    private void end(boolean delivered) {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        job.unlisten(this);
        ending.ended(this, delivered);
        done.complete(null);
    }
}
