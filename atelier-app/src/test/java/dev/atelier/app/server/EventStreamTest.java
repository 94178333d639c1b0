package dev.atelier.app.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** How one subscriber writes a job's events through a non-blocking output that a test opens and closes like a slow client. */
class EventStreamTest {

    /** A servlet output whose readiness the test sets; it records what was written and each flush. */
    private static final class Output extends ServletOutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        boolean ready;
        boolean failing;
        WriteListener listener;

        @Override public boolean isReady() { return ready; }

        @Override public void setWriteListener(WriteListener listener) { this.listener = listener; }

        @Override public void write(int b) { written.write(b); }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            if (!ready) throw new IllegalStateException("written while not ready");
            if (failing) throw new java.io.IOException("broken pipe");
            written.write(b, off, len);
        }

        /** The client takes bytes again: Jetty would call the listener now. */
        void open() {
            ready = true;
            try {
                listener.onWritePossible();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        List<String> eventNames() {
            List<String> names = new ArrayList<>();
            Matcher m = Pattern.compile("event: (\\w+)\ndata: (.*)\n\n").matcher(written.toString(StandardCharsets.UTF_8));
            while (m.find()) names.add(m.group(1) + (m.group(1).equals("progress") ? m.group(2) : ""));
            return names;
        }
    }

    private record Ended(boolean delivered) {}

    private final List<Ended> endings = new ArrayList<>();

    private EventStream subscribe(RenderJob job, Output out) {
        EventStream stream = new EventStream(job, out, (s, delivered) -> endings.add(new Ended(delivered)));
        stream.start();
        return stream;
    }

    private static RenderJob job() {
        RenderJob job = new RenderJob("j", null, 1, RenderJob.Shape.ATELIER, 1, false);
        job.publish(event("queued", "{}"));
        return job;
    }

    private static RenderJob.Event event(String name, String json) {
        return new RenderJob.Event(name, json.getBytes(StandardCharsets.UTF_8));
    }

    private static void progress(RenderJob job, int from, int to) {
        for (int step = from; step <= to; step++) job.publish(event("progress", "" + step));
    }

    @Test
    void aReaderThatKeepsUpGetsEveryEventAndTheStreamEndsAfterTheLast() {
        RenderJob job = job();
        Output out = new Output();
        out.ready = true;
        EventStream stream = subscribe(job, out);
        out.open();
        progress(job, 1, 5);
        assertThat(stream.done()).isNotDone();
        job.finish(event("result", "{\"ok\":1}"));

        assertThat(out.eventNames()).containsExactly("queued", "progress1", "progress2", "progress3", "progress4", "progress5", "result");
        assertThat(stream.done()).isDone();
        assertThat(endings).containsExactly(new Ended(true));
        assertThat(stream.skipped()).isZero();
    }

    @Test
    void aReaderThatFellBehindGetsOnlyTheNewestProgressAndAlwaysTheLastEvent() {
        RenderJob job = job();
        Output out = new Output();
        EventStream stream = subscribe(job, out);
        out.open();
        progress(job, 1, 2);
        out.ready = false; // the client stops reading
        progress(job, 3, 9);
        out.open();
        assertThat(out.eventNames()).containsExactly("queued", "progress1", "progress2", "progress9");

        out.ready = false;
        progress(job, 10, 20);
        job.finish(event("result", "{}"));
        out.open();

        assertThat(out.eventNames()).containsExactly("queued", "progress1", "progress2", "progress9", "result");
        assertThat(stream.skipped()).isEqualTo(6 + 11);
        assertThat(endings).containsExactly(new Ended(true));
    }

    @Test
    void everySubscriberWritesTheSameEncodedBytesOfAnEvent() {
        RenderJob job = job();
        RenderJob.Event shared = event("progress", "{\"step\":1}");
        job.publish(shared);
        RenderJob.Event again = job.event(1);
        assertThat(again.frame()).isSameAs(shared.frame());
        assertThat(new String(shared.frame(), StandardCharsets.UTF_8)).isEqualTo("event: progress\ndata: {\"step\":1}\n\n");
        assertThat(shared.json()).isEqualTo("{\"step\":1}");
    }

    @Test
    void aFailingWriteEndsTheStreamUndelivered() {
        RenderJob job = job();
        Output out = new Output();
        EventStream stream = subscribe(job, out);
        out.failing = true;
        out.open();

        assertThat(stream.done()).isDone();
        assertThat(endings).containsExactly(new Ended(false));
        progress(job, 1, 3); // no listener left: nothing is written, nothing throws
        assertThat(out.written.size()).isZero();
    }

    @Test
    void anIdleStreamSendsAKeepAliveComment() {
        RenderJob job = job();
        Output out = new Output();
        EventStream stream = subscribe(job, out);
        out.open();
        stream.keepAlive();
        assertThat(out.written.toString(StandardCharsets.UTF_8)).endsWith(": waiting\n\n");
    }
}
