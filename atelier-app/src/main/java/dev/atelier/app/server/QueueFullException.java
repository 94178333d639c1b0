package dev.atelier.app.server;

/** Every place in the render queue is taken; the client should retry after {@link #RETRY_AFTER_SECONDS}. */
final class QueueFullException extends RuntimeException {
    static final int RETRY_AFTER_SECONDS = 10;

    QueueFullException(int capacity) {
        super("the render queue is full (" + capacity + " waiting); retry in a few seconds", null, false, false);
    }
}
