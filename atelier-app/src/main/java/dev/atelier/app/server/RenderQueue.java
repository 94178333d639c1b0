package dev.atelier.app.server;

import dev.atelier.diffusion.pipeline.GenerationRequest;
import dev.atelier.diffusion.pipeline.GenerationResult;
import dev.atelier.diffusion.pipeline.StepCallback;
import dev.atelier.diffusion.pipeline.StepEvent;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders one job at a time on a single worker thread (a pipeline holds one set of ONNX sessions and its memory), with
 * at most {@code capacity} jobs waiting; a job beyond that is refused with {@link QueueFullException}.
 */
final class RenderQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RenderQueue.class);
    /** Finished jobs kept for late event subscribers. */
    private static final int KEPT_JOBS = 64;

    /** Runs one generation; the pipeline's {@code generate} in production. */
    @FunctionalInterface
    interface Renderer {
        GenerationResult render(GenerationRequest request, StepCallback callback);
    }

    private final Renderer renderer;
    private final Responses responses;
    private final Runnable beforeEachRender;
    private final int capacity;
    private final ThreadPoolExecutor worker;
    private final AtomicInteger running = new AtomicInteger();
    private final Map<String, RenderJob> jobs = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RenderJob> eldest) {
            return size() > KEPT_JOBS && eldest.getValue().result().isDone();
        }
    });

    /** {@code beforeEachRender} runs on the worker before every job (tests block it to fill the queue). */
    RenderQueue(Renderer renderer, Responses responses, int capacity, Runnable beforeEachRender) {
        if (capacity < 1) throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
        this.renderer = renderer;
        this.responses = responses;
        this.capacity = capacity;
        this.beforeEachRender = beforeEachRender;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(capacity),
                r -> Thread.ofPlatform().name("atelier-render").daemon(true).unstarted(r));
    }

    /** Queues a generation; throws {@link QueueFullException} when every place is taken. */
    RenderJob submit(GenerationRequest request, int previewEvery) {
        RenderJob job = new RenderJob(UUID.randomUUID().toString(), request, previewEvery);
        job.publish(new RenderJob.Event("queued", responses.queued(job, waiting())));
        jobs.put(job.id(), job);
        try {
            worker.execute(() -> run(job));
        } catch (RejectedExecutionException e) {
            jobs.remove(job.id());
            throw new QueueFullException(capacity);
        }
        return job;
    }

    RenderJob job(String id) {
        return jobs.get(id);
    }

    int waiting() { return worker.getQueue().size(); }

    int capacity() { return capacity; }

    boolean busy() { return running.get() > 0; }

    private void run(RenderJob job) {
        running.incrementAndGet();
        try {
            beforeEachRender.run();
            long started = System.nanoTime();
            GenerationResult result = renderer.render(job.request(), event -> {
                job.publish(new RenderJob.Event("progress", responses.progress(event, preview(job, event))));
                return true;
            });
            long queuedNanos = started - job.submittedNanos();
            job.finish(new RenderJob.Event("result", responses.result(job.id(), result, queuedNanos)));
            job.result().complete(result);
            log.info("job {} done: {} image(s), {} steps, {} ms", job.id(), result.images().size(),
                    result.request().steps(), result.timings().total() / 1_000_000);
        } catch (Throwable e) {
            ApiException error = Responses.asApiError(e);
            if (error.status() == 500) log.error("job {} failed", job.id(), e);
            job.finish(new RenderJob.Event("error", responses.error(error)));
            job.result().completeExceptionally(error);
        } finally {
            running.decrementAndGet();
        }
    }

    private static java.awt.image.BufferedImage preview(RenderJob job, StepEvent event) {
        int every = job.previewEvery();
        if (every <= 0) return null;
        boolean due = event.step() % every == 0 && event.step() < event.steps();
        return due ? event.preview() : null;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
