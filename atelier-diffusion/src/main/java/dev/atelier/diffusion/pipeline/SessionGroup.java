package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.OrtSessions;
import dev.atelier.diffusion.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ONNX sessions one pipeline opened: closed together, and their time inside runs summed for the timings. */
final class SessionGroup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionGroup.class);
    /** {@code false} opens sessions one after another, as before start-up was parallel (for benchmarks). */
    static final String PARALLEL_PROPERTY = "atelier.sessions.parallel";
    /** Session creation is mostly single-threaded graph work and file reading: a few threads cover the components. */
    private static final int MAX_OPENING_THREADS = 4;

    /** One session to open. */
    record Component(String name, Path file) {}

    private final List<ModelSession> sessions = new ArrayList<>();
    private final BiFunction<Component, SessionSettings, ModelSession> opener;

    SessionGroup() {
        this((c, s) -> OrtSessions.open(c.name(), c.file(), s));
    }

    /** With {@code opener} in place of ONNX Runtime (tests). */
    SessionGroup(BiFunction<Component, SessionSettings, ModelSession> opener) {
        this.opener = opener;
    }

    ModelSession open(String name, Path file, SessionSettings settings) {
        ModelSession s = opener.apply(new Component(name, file), settings);
        synchronized (sessions) {
            sessions.add(s);
        }
        return s;
    }

    /**
     * Opens {@code components} concurrently on a small pool while {@code meanwhile} runs on the calling thread (the
     * tokenizers are prepared there), and returns the sessions by name. Errors are deterministic: when several fail,
     * the first failure in {@code components}' order is thrown (after {@code meanwhile}'s own failure, if any), and
     * every session that did open is closed before the throw.
     */
    Map<String, ModelSession> openAll(List<Component> components, SessionSettings settings, Runnable meanwhile) {
        if (!Boolean.parseBoolean(System.getProperty(PARALLEL_PROPERTY, "true")) || components.size() < 2) {
            meanwhile.run();
            Map<String, ModelSession> out = new LinkedHashMap<>();
            for (Component c : components) out.put(c.name(), open(c.name(), c.file(), settings));
            return out;
        }
        AtomicInteger counter = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(MAX_OPENING_THREADS, components.size()), r -> {
            Thread t = new Thread(r, "atelier-session-open-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<ModelSession>> pending = new ArrayList<>();
            for (Component c : components) {
                pending.add(CompletableFuture.supplyAsync(() -> {
                    long start = System.nanoTime();
                    ModelSession s = opener.apply(c, settings);
                    log.debug("session {} ready after {} ms on {}", c.name(), (System.nanoTime() - start) / 1_000_000,
                            Thread.currentThread().getName());
                    return s;
                }, pool));
            }
            RuntimeException failure = null;
            try {
                meanwhile.run();
            } catch (RuntimeException e) {
                failure = e;
            }
            Map<String, ModelSession> out = new LinkedHashMap<>();
            for (int i = 0; i < components.size(); i++) {
                try {
                    ModelSession s = pending.get(i).join(); // waits for every opening, so none is left running
                    synchronized (sessions) {
                        sessions.add(s);
                    }
                    out.put(components.get(i).name(), s);
                } catch (CompletionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                    if (failure == null) failure = cause;
                    else if (failure != cause) failure.addSuppressed(cause);
                }
            }
            if (failure != null) {
                close();
                throw failure;
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /** Time spent inside every session's runs so far. */
    long nanosInRuns() {
        long sum = 0;
        synchronized (sessions) {
            for (ModelSession s : sessions) sum += s.nanosInRuns();
        }
        return sum;
    }

    @Override
    public void close() {
        synchronized (sessions) {
            for (ModelSession s : sessions) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    log.warn("closing {} failed: {}", s.name(), e.getMessage());
                }
            }
            sessions.clear();
        }
    }
}
