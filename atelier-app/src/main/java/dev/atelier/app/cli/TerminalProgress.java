package dev.atelier.app.cli;

import dev.atelier.assistant.RenderProgress;
import dev.atelier.diffusion.pipeline.StepCallback;
import java.io.PrintWriter;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A render's progress as a bar on standard error ("Generating", "Editing", …). */
final class TerminalProgress implements RenderProgress {
    private final PrintWriter err;
    private ProgressBar bar;

    TerminalProgress(PrintWriter err) { this.err = err; }

    @Override
    public StepCallback begin(String task, int steps) {
        bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(new DelegatingProgressBarConsumer(line -> {
                    err.print('\r' + line);
                    err.flush();
                }, 80))
                .build();
        ProgressBar current = bar;
        return event -> {
            current.maxHint(event.overallSteps());
            current.stepTo(event.overallStep());
            return true;
        };
    }

    @Override
    public void end() {
        if (bar != null) bar.stepTo(bar.getMax());
        abandon();
    }

    /** Closes the bar where it stands (a failed or cancelled render is not shown as complete). */
    void abandon() {
        if (bar == null) return;
        bar.close();
        bar = null;
        err.println();
    }
}
