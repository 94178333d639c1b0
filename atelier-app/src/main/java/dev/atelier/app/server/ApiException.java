package dev.atelier.app.server;

/**
 * A request the server answers with an error: HTTP status, a message saying what went wrong and what to do, and the
 * OpenAI error {@code type} and {@code code}.
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;

    ApiException(int status, String type, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
    }

    static ApiException badRequest(String code, String message) {
        return new ApiException(400, "invalid_request_error", code, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "invalid_request_error", "not_found", message);
    }

    /** The job was cancelled: by {@code DELETE}, or because every client that wanted it went away. */
    static ApiException cancelled() {
        return new ApiException(409, "invalid_request_error", "cancelled", "the job was cancelled before it finished");
    }

    /** Too many clients at once; like a full queue, the client should retry after {@code Retry-After} seconds. */
    static ApiException tooMany(String code, String message) {
        return new ApiException(429, "server_error", code, message);
    }

    int status() { return status; }

    String type() { return type; }

    String code() { return code; }
}
