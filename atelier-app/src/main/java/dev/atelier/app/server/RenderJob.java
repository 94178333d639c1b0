package dev.atelier.app.server;

import dev.atelier.diffusion.pipeline.GenerationRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One queued generation. Its events (queued, progress, then result or error) are kept in order, each encoded once
 * as the bytes of a server-sent event that every subscriber shares, so that a late subscriber still sees them all.
 * <p>
 * A job lives while someone wants it: the connections waiting for it ({@link #hold}/{@link #release}) and, for a job
 * submitted through {@code POST /api/jobs}, its id until {@code DELETE}. When the last of them goes, the queue
 * cancels it: a waiting job leaves the queue, a running one stops at its next step.
 */
final class RenderJob {
    /** What the finishing event carries: Atelier's result JSON, or OpenAI's images answer. */
    enum Shape { ATELIER, OPENAI }

    /** A server-sent event, encoded once: {@code frame} is the whole event, {@code json} its data within it. */
    static final class Event {
        private final String name;
        private final byte[] frame;
        private final int dataOffset;
        private final int dataLength;
        private final int status;

        Event(String name, byte[] json) {
            this(name, json, 200);
        }

        /** {@code status}: what a plain (not streamed) answer of this event as the last one has as HTTP status. */
        Event(String name, byte[] json, int status) {
            this.name = name;
            this.status = status;
            byte[] head = ("event: " + name + "\ndata: ").getBytes(StandardCharsets.UTF_8);
            this.frame = new byte[head.length + json.length + 2];
            System.arraycopy(head, 0, frame, 0, head.length);
            System.arraycopy(json, 0, frame, head.length, json.length);
            frame[frame.length - 2] = '\n';
            frame[frame.length - 1] = '\n';
            this.dataOffset = head.length;
            this.dataLength = json.length;
        }

        String name() { return name; }

        int status() { return status; }

        /** The event as written to a stream; shared, never to be modified. */
        byte[] frame() { return frame; }

        int dataOffset() { return dataOffset; }

        int dataLength() { return dataLength; }

        String json() { return new String(frame, dataOffset, dataLength, StandardCharsets.UTF_8); }

        /** A progress event may be skipped for a reader that has fallen behind when a later one is there. */
        boolean thinnable() { return name.equals("progress"); }

        boolean last() { return name.equals("result") || name.equals("error"); }
    }

    /** Told when the job has a new event; called on the publishing thread, so it must not block. */
    interface Listener {
        void onEvent();
    }

    enum State { WAITING, RUNNING, FINISHED }

    private final String id;
    private final GenerationRequest request;
    private final int previewEvery;
    private final Shape shape;
    private final long submittedNanos = System.nanoTime();
    private final List<Event> events = new ArrayList<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Completes with the last event (result or error) when the job is done, whichever way. */
    private final CompletableFuture<Event> done = new CompletableFuture<>();
    private State state = State.WAITING;
    private int holders;
    private boolean keptById;
    private volatile boolean cancelRequested;
    private long bytes;
    private int subscribers;

    /**
     * A job wanted by {@code holders} connections from the start, and by its id when {@code keptById}; the caller
     * that holds must {@link #release} (on disconnect) once.
     */
    RenderJob(String id, GenerationRequest request, int previewEvery, Shape shape, int holders, boolean keptById) {
        this.id = id;
        this.request = request;
        this.previewEvery = previewEvery;
        this.shape = shape;
        this.holders = holders;
        this.keptById = keptById;
    }

    String id() { return id; }

    GenerationRequest request() { return request; }

    /** Send a preview every this many steps; 0 sends none. */
    int previewEvery() { return previewEvery; }

    Shape shape() { return shape; }

    long submittedNanos() { return submittedNanos; }

    CompletableFuture<Event> done() { return done; }

    boolean cancelRequested() { return cancelRequested; }

    void requestCancel() { cancelRequested = true; }

    /** Moves a waiting job to running; false when it was cancelled (or already taken). */
    synchronized boolean start() {
        if (state != State.WAITING || cancelRequested) return false;
        state = State.RUNNING;
        return true;
    }

    /** One more connection wants the job; false when it is already finished (nothing left to want). */
    synchronized boolean hold() {
        if (state == State.FINISHED) return false;
        holders++;
        return true;
    }

    /** A connection that held the job has gone; true when nobody wants the job any more. */
    synchronized boolean release() {
        if (holders > 0) holders--;
        return holders == 0 && !keptById && state != State.FINISHED;
    }

    /** Counts a subscriber against {@code perJob}; false when the job already has that many. */
    synchronized boolean addSubscriber(int perJob) {
        if (subscribers >= perJob) return false;
        subscribers++;
        return true;
    }

    synchronized void removeSubscriber() {
        if (subscribers > 0) subscribers--;
    }

    void publish(Event event) {
        synchronized (this) {
            if (state == State.FINISHED) return;
            events.add(event);
            bytes += event.frame().length;
        }
        notifyListeners();
    }

    /** Publishes the last event and completes the job; false when it had already finished. */
    boolean finish(Event last) {
        synchronized (this) {
            if (state == State.FINISHED) return false;
            events.add(last);
            bytes += last.frame().length;
            state = State.FINISHED;
        }
        done.complete(last);
        notifyListeners();
        return true;
    }

    private void notifyListeners() {
        for (Listener listener : listeners) listener.onEvent();
    }

    void listen(Listener listener) {
        listeners.add(listener);
    }

    void unlisten(Listener listener) {
        listeners.remove(listener);
    }

    synchronized int eventCount() { return events.size(); }

    synchronized Event event(int index) { return events.get(index); }

    synchronized boolean finished() { return state == State.FINISHED; }

    /** Bytes the job's events hold. */
    synchronized long bytes() { return bytes; }
}
