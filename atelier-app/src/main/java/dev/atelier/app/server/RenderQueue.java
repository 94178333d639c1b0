package dev.atelier.app.server;

import dev.atelier.diffusion.pipeline.GenerationCancelledException;
import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.GenerationResult;
import dev.atelier.diffusion.pipeline.StepCallback;
import dev.atelier.diffusion.pipeline.StepEvent;
import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders one job at a time on a single worker thread (a pipeline holds one set of ONNX sessions and its memory), with
 * at most {@code capacity} jobs waiting; a job beyond that is refused with {@link QueueFullException}. A job nobody
 * wants any more leaves the queue, or stops at its next step when it is running. Finished jobs stay for late
 * subscribers while their events fit in {@code keptBytes}, oldest dropped first.
 */
final class RenderQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RenderQueue.class);

    /** Runs one generation; the pipeline's {@code generate} in production. */
    @FunctionalInterface
    interface Renderer {
        GenerationResult render(GenerationRequest request, StepCallback callback);
    }

    private final Renderer renderer;
    private final Responses responses;
    private final Runnable beforeEachRender;
    private final int capacity;
    private final long keptBytes;
    private final ArrayDeque<RenderJob> waiting = new ArrayDeque<>();
    private final Map<String, RenderJob> active = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, RenderJob> finished = new LinkedHashMap<>();
    private long finishedBytes;
    private volatile RenderJob running;
    private volatile boolean closed;
    private final Thread worker;

    /** {@code beforeEachRender} runs on the worker before every job (tests block it to fill the queue). */
    RenderQueue(Renderer renderer, Responses responses, int capacity, long keptBytes, Runnable beforeEachRender) {
        if (capacity < 1) throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
        this.renderer = renderer;
        this.responses = responses;
        this.capacity = capacity;
        this.keptBytes = keptBytes;
        this.beforeEachRender = beforeEachRender;
        this.worker = Thread.ofPlatform().name("atelier-render").daemon(true).start(this::work);
    }

    /**
     * Queues a generation wanted by {@code holders} connections (and by its id when {@code keptById}); throws
     * {@link QueueFullException} when every place is taken.
     */
    RenderJob submit(GenerationRequest request, int previewEvery, RenderJob.Shape shape, int holders, boolean keptById) {
        RenderJob job = new RenderJob(UUID.randomUUID().toString(), request, previewEvery, shape, holders, keptById);
        synchronized (waiting) {
            if (closed || waiting.size() >= capacity) throw new QueueFullException(capacity);
            job.publish(new RenderJob.Event("queued", responses.queued(job, waiting.size())));
            active.put(job.id(), job);
            waiting.addLast(job);
            waiting.notifyAll();
        }
        return job;
    }

    /** A waiting, running or kept finished job, or null. */
    RenderJob job(String id) {
        RenderJob job = active.get(id);
        if (job != null) return job;
        synchronized (finished) {
            return finished.get(id);
        }
    }

    /** A connection that held {@code job} has gone; the job is cancelled when nobody else wants it. */
    void release(RenderJob job) {
        if (job.release()) cancel(job, "every client that wanted it went away");
    }

    /** Takes a waiting job out of the queue, or stops a running one at its next step. */
    void cancel(RenderJob job, String why) {
        job.requestCancel();
        boolean removed;
        synchronized (waiting) {
            removed = waiting.remove(job);
        }
        if (removed) {
            log.info("job {} left the queue: {}", job.id(), why);
            finishCancelled(job);
        } else if (!job.finished()) {
            log.info("job {} stops at its next step: {}", job.id(), why);
        }
    }

    int waiting() {
        synchronized (waiting) {
            return waiting.size();
        }
    }

    int capacity() { return capacity; }

    boolean busy() { return running != null; }

    /** Bytes the kept finished jobs hold. */
    long keptBytes() {
        synchronized (finished) {
            return finishedBytes;
        }
    }

    int keptJobs() {
        synchronized (finished) {
            return finished.size();
        }
    }

    private void work() {
        while (!closed) {
            RenderJob job;
            synchronized (waiting) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        waiting.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
                job = waiting.pollFirst();
            }
            if (!job.start()) continue; // cancelled on its way out of the queue
            running = job;
            try {
                run(job);
            } finally {
                running = null;
            }
        }
    }

    private void run(RenderJob job) {
        try {
            beforeEachRender.run();
            if (job.cancelRequested()) throw new GenerationCancelledException(0, job.request().steps());
            long started = System.nanoTime();
            GenerationResult result = renderer.render(job.request(), event -> {
                if (job.cancelRequested()) return false;
                job.publish(new RenderJob.Event("progress", responses.progress(event, preview(job, event))));
                return !job.cancelRequested();
            });
            long queuedNanos = started - job.submittedNanos();
            finish(job, new RenderJob.Event("result", responses.finalAnswer(job, result, queuedNanos)));
            log.info("job {} done: {} image(s), {} steps, {} ms", job.id(), result.images().size(),
                    result.request().steps(), result.timings().total() / 1_000_000);
        } catch (GenerationCancelledException e) {
            log.info("job {} cancelled: {}", job.id(), e.getMessage());
            finishCancelled(job);
        } catch (Throwable e) {
            ApiException error = Responses.asApiError(e);
            if (error.status() == 500) log.error("job {} failed", job.id(), e);
            finish(job, new RenderJob.Event("error", responses.error(error), error.status()));
        }
    }

    private void finishCancelled(RenderJob job) {
        ApiException error = ApiException.cancelled();
        finish(job, new RenderJob.Event("error", responses.error(error), error.status()));
    }

    /** Publishes the last event and moves the job to the kept finished jobs, dropping the oldest beyond the budget. */
    private void finish(RenderJob job, RenderJob.Event last) {
        if (!job.finish(last)) return;
        synchronized (finished) {
            finished.put(job.id(), job);
            finishedBytes += job.bytes();
            active.remove(job.id());
            for (Iterator<RenderJob> oldest = finished.values().iterator(); finishedBytes > keptBytes && oldest.hasNext(); ) {
                finishedBytes -= oldest.next().bytes();
                oldest.remove();
            }
        }
    }

    private static BufferedImage preview(RenderJob job, StepEvent event) {
        int every = job.previewEvery();
        if (every <= 0) return null;
        boolean due = event.step() % every == 0 && event.step() < event.steps();
        return due ? event.preview() : null;
    }

    @Override
    public void close() {
        closed = true;
        RenderJob current = running;
        if (current != null) current.requestCancel();
        java.util.List<RenderJob> left;
        synchronized (waiting) {
            left = java.util.List.copyOf(waiting);
            waiting.clear();
            waiting.notifyAll();
        }
        left.forEach(this::finishCancelled); // their clients get an answer, not a hang
        worker.interrupt();
    }
}
