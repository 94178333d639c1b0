package dev.atelier.app.cli;

import dev.atelier.core.AtelierException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Turns exceptions into one clear line for the user; the stack trace goes to the debug log. */
final class FriendlyErrors implements CommandLine.IExecutionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(FriendlyErrors.class);

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        log.debug("command failed", ex);
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cl.getErr().println(cl.getColorScheme().errorText("error: " + message));
        if (!(ex instanceof AtelierException)) {
            cl.getErr().println("(set ATELIER_LOG_LEVEL=DEBUG for details)");
        }
        return ex instanceof AtelierException ae ? ae.exitCode() : 1;
    }
}
