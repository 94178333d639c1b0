package dev.atelier.app.server;

import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.GenerationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One queued generation. Its events (queued, progress, result or error) are kept in order so that a client that
 * subscribes late still sees all of them; {@link #result()} completes when the render is done.
 */
final class RenderJob {
    /** A server-sent event: its name and its JSON data. */
    record Event(String name, String json) {}

    private final String id;
    private final GenerationRequest request;
    private final int previewEvery;
    private final long submittedNanos = System.nanoTime();
    private final List<Event> events = new ArrayList<>();
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private boolean finished;

    RenderJob(String id, GenerationRequest request, int previewEvery) {
        this.id = id;
        this.request = request;
        this.previewEvery = previewEvery;
    }

    String id() { return id; }

    GenerationRequest request() { return request; }

    /** Send a preview every this many steps; 0 sends none. */
    int previewEvery() { return previewEvery; }

    long submittedNanos() { return submittedNanos; }

    CompletableFuture<GenerationResult> result() { return result; }

    synchronized void publish(Event event) {
        if (finished) return;
        events.add(event);
        notifyAll();
    }

    /** Publishes the last event and completes the job. */
    synchronized void finish(Event last) {
        if (finished) return;
        events.add(last);
        finished = true;
        notifyAll();
    }

    /**
     * The events from index {@code from} on, waiting up to {@code waitMillis} for one when there is none yet; an empty
     * list means none came in time (or the job is finished and all were read: see {@link #isFinishedAt}).
     */
    synchronized List<Event> eventsFrom(int from, long waitMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + waitMillis;
        while (events.size() <= from && !finished) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) break;
            wait(left);
        }
        return events.size() <= from ? List.of() : List.copyOf(events.subList(from, events.size()));
    }

    /** True when the job is finished and a reader who has read {@code read} events has seen them all. */
    synchronized boolean isFinishedAt(int read) {
        return finished && read >= events.size();
    }
}
