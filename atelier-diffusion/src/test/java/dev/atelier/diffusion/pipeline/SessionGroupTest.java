package dev.atelier.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.diffusion.onnx.Feed;
import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.PreparedInput;
import dev.atelier.diffusion.onnx.SessionSettings;
import dev.atelier.diffusion.onnx.Tensor;
import dev.atelier.diffusion.onnx.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Sessions open concurrently; the first failure in the fixed order is reported and nothing is left open. */
class SessionGroupTest {

    private static final class FakeSession implements ModelSession {
        final String name;
        final Set<String> closed;

        FakeSession(String name, Set<String> closed) {
            this.name = name;
            this.closed = closed;
        }

        @Override public String name() { return name; }
        @Override public List<TensorSpec> inputs() { return List.of(); }
        @Override public List<TensorSpec> outputs() { return List.of(); }
        @Override public PreparedInput prepare(String inputName, Tensor tensor) { throw new UnsupportedOperationException(); }
        @Override public Map<String, Tensor.Floats> run(Map<String, ? extends Feed> feeds, Set<String> outputs) { return Map.of(); }
        @Override public long nanosInRuns() { return 0; }
        @Override public void close() { closed.add(name); }
    }

    private static List<SessionGroup.Component> components(String... names) {
        return java.util.Arrays.stream(names).map(n -> new SessionGroup.Component(n, Path.of(n))).toList();
    }

    @Test
    void opensConcurrentlyWhileTheTokenizerLoads() {
        Set<String> closed = ConcurrentHashMap.newKeySet();
        // every opening waits until all three have started: only a concurrent opening can finish
        CountDownLatch allStarted = new CountDownLatch(3);
        CountDownLatch tokenizerRan = new CountDownLatch(1);
        SessionGroup group = new SessionGroup((c, s) -> {
            allStarted.countDown();
            try {
                if (!allStarted.await(10, TimeUnit.SECONDS) || !tokenizerRan.await(10, TimeUnit.SECONDS)) {
                    throw new AtelierException("openings ran one after another");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new FakeSession(c.name(), closed);
        });
        Map<String, ModelSession> opened = group.openAll(components("text_encoder", "unet", "vae_decoder"),
                SessionSettings.defaults(), tokenizerRan::countDown);
        assertThat(opened.keySet()).containsExactly("text_encoder", "unet", "vae_decoder");
        group.close();
        assertThat(closed).containsExactlyInAnyOrder("text_encoder", "unet", "vae_decoder");
    }

    @Test
    void theFirstFailureInOrderIsReportedAndEveryOpenedSessionClosed() {
        for (int round = 0; round < 5; round++) {
            Set<String> closed = ConcurrentHashMap.newKeySet();
            AtomicInteger opened = new AtomicInteger();
            SessionGroup group = new SessionGroup((c, s) -> {
                try {
                    // the later component fails first in time; the earlier one's error must still win
                    if (c.name().equals("unet")) Thread.sleep(40);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                if (c.name().equals("unet") || c.name().equals("vae_decoder")) {
                    throw new AtelierException("cannot load " + c.name());
                }
                opened.incrementAndGet();
                return new FakeSession(c.name(), closed);
            });
            assertThatThrownBy(() -> group.openAll(components("text_encoder", "unet", "vae_decoder", "vae_encoder"),
                    SessionSettings.defaults(), () -> {}))
                    .isInstanceOf(AtelierException.class).hasMessage("cannot load unet");
            assertThat(opened.get()).isEqualTo(2);
            assertThat(closed).containsExactlyInAnyOrder("text_encoder", "vae_encoder");
        }
    }

    @Test
    void aTokenizerFailureComesFirstAndStillClosesTheSessions() {
        Set<String> closed = ConcurrentHashMap.newKeySet();
        SessionGroup group = new SessionGroup((c, s) -> new FakeSession(c.name(), closed));
        assertThatThrownBy(() -> group.openAll(components("text_encoder", "unet"), SessionSettings.defaults(), () -> {
            throw new AtelierException("tokenizer broken");
        })).hasMessage("tokenizer broken");
        assertThat(closed).containsExactlyInAnyOrder("text_encoder", "unet");
    }

    @Test
    void oneAfterAnotherWhenSwitchedOff() {
        String previous = System.getProperty(SessionGroup.PARALLEL_PROPERTY);
        System.setProperty(SessionGroup.PARALLEL_PROPERTY, "false");
        try {
            List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            SessionGroup group = new SessionGroup((c, s) -> {
                threads.add(Thread.currentThread().getName());
                return new FakeSession(c.name(), ConcurrentHashMap.newKeySet());
            });
            group.openAll(components("a", "b"), SessionSettings.defaults(), () -> {});
            assertThat(threads).containsOnly(Thread.currentThread().getName());
        } finally {
            if (previous == null) System.clearProperty(SessionGroup.PARALLEL_PROPERTY);
            else System.setProperty(SessionGroup.PARALLEL_PROPERTY, previous);
        }
    }
}
