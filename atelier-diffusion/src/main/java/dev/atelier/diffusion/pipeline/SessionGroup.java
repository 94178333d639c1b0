package dev.atelier.diffusion.pipeline;

import dev.atelier.diffusion.onnx.ModelSession;
import dev.atelier.diffusion.onnx.OrtSessions;
import dev.atelier.diffusion.onnx.SessionSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ONNX sessions one pipeline opened: closed together, and their time inside runs summed for the timings. */
final class SessionGroup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionGroup.class);

    private final List<ModelSession> sessions = new ArrayList<>();

    ModelSession open(String name, Path file, SessionSettings settings) {
        ModelSession s = OrtSessions.open(name, file, settings);
        sessions.add(s);
        return s;
    }

    /** Time spent inside every session's runs so far. */
    long nanosInRuns() {
        long sum = 0;
        for (ModelSession s : sessions) sum += s.nanosInRuns();
        return sum;
    }

    @Override
    public void close() {
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
