package dev.concord.cli;

import dev.concord.progress.Progress;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress on stderr: a redrawn bar when stderr is a terminal, otherwise a plain line every ~10% (logs stay short).
 * bin/concord pipes stderr through a filter, so it passes the terminal test in CONCORD_STDERR_TTY.
 */
public final class TerminalProgress implements Progress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LOG_INTERVAL_NANOS = 1_000_000_000L;
    private final PrintStream err;
    private final boolean terminal;
    private final boolean quiet;

    public TerminalProgress(PrintStream err, boolean terminal, boolean quiet) {
        this.err = err;
        this.terminal = terminal;
        this.quiet = quiet;
    }

    public static TerminalProgress forStderr(boolean quiet) {
        boolean tty = "1".equals(System.getenv("CONCORD_STDERR_TTY"));
        return new TerminalProgress(System.err, tty, quiet);
    }

    @Override
    public Task start(String label, long total) {
        if (quiet) {
            return Progress.none().start(label, total);
        }
        return new Bar(label, total);
    }

    private final class Bar implements Task {
        private final String label;
        private final long total;
        private final long started = System.nanoTime();
        private final AtomicLong done = new AtomicLong();
        private long lastDraw;
        private int lastDecile = -1;
        private boolean closed;

        Bar(String label, long total) {
            this.label = label;
            this.total = total;
            draw(0, true);
        }

        @Override
        public void advance(long units) {
            long now = done.addAndGet(units);
            draw(now, false);
        }

        private synchronized void draw(long now, boolean force) {
            if (closed) {
                return;
            }
            long t = System.nanoTime();
            if (terminal) {
                if (!force && t - lastDraw < REDRAW_NANOS && now < total) {
                    return;
                }
                lastDraw = t;
                err.print("\r" + line(now, t) + "\u001b[K");
                err.flush();
            } else {
                // logs: the start, then at most one line per 10% and per second, so short tasks print two lines
                int decile = total > 0 ? (int) Math.min(10, now * 10 / total) : 0;
                boolean due = force || (decile > lastDecile && decile < 10 && t - lastDraw >= LOG_INTERVAL_NANOS);
                if (due) {
                    lastDecile = decile;
                    lastDraw = t;
                    err.println(line(now, t));
                }
            }
        }

        private String line(long now, long t) {
            double secs = (t - started) / 1e9;
            if (total <= 0) {
                return String.format("%s: %d (%.1fs)", label, now, secs);
            }
            double frac = Math.min(1.0, (double) now / total);
            StringBuilder sb = new StringBuilder(label).append(' ');
            if (terminal) {
                int width = 30;
                int filled = (int) Math.round(frac * width);
                sb.append('[').append("#".repeat(filled)).append(" ".repeat(width - filled)).append("] ");
            }
            sb.append(String.format("%3.0f%% %d/%d (%.1fs)", frac * 100, now, total, secs));
            return sb.toString();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            long now = done.get();
            if (terminal) {
                err.print("\r" + line(now, System.nanoTime()) + "\u001b[K\n");
            } else {
                err.println(line(now, System.nanoTime()));
            }
            err.flush();
            closed = true;
        }
    }
}
