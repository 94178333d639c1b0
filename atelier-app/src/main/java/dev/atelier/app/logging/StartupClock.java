package dev.atelier.app.logging;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a command's start-up went: named marks from the JVM's start to the end, logged as one breakdown at DEBUG
 * ({@code --verbose} or {@code ATELIER_LOG_LEVEL=DEBUG}), so a slow first picture can be read step by step.
 */
public final class StartupClock {
    private static final Logger LOG = LoggerFactory.getLogger("dev.atelier.startup");
    private static final List<String> names = new ArrayList<>();
    private static final List<Long> times = new ArrayList<>();

    private StartupClock() {}

    /** Records that {@code step} ends now. */
    public static synchronized void mark(String step) {
        names.add(step);
        times.add(System.currentTimeMillis());
    }

    /** The breakdown so far: each step's share since the previous mark, from the JVM's own start time. */
    public static synchronized String breakdown() {
        long previous = ManagementFactory.getRuntimeMXBean().getStartTime();
        long start = previous;
        StringBuilder text = new StringBuilder("start-up breakdown (ms):");
        for (int i = 0; i < names.size(); i++) {
            text.append(String.format(Locale.ROOT, " %s %d;", names.get(i), times.get(i) - previous));
            previous = times.get(i);
        }
        // the absolute start lets a parent process (the start-up benchmark) measure from its own launch
        return text.append(String.format(Locale.ROOT, " total %d; JVM start at epoch %d", previous - start, start))
                .toString();
    }

    /** Logs the breakdown at DEBUG. */
    public static void log() {
        if (LOG.isDebugEnabled()) LOG.debug(breakdown());
    }

    /** Forgets every mark (tests run many commands in one JVM). */
    public static synchronized void reset() {
        names.clear();
        times.clear();
    }
}
