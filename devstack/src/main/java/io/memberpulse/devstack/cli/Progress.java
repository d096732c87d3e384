package io.memberpulse.devstack.cli;

/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per 10% otherwise (CI logs).
 */
final class Progress {
    private static final int WIDTH = 30;

    private final long total;
    private final boolean terminal = System.console() != null;
    private final long started = System.nanoTime();
    private final String unit;
    private int lastDecile = -1;

    Progress(long total) {
        this(total, "rows");
    }

    /** @param unit what {@link #show}'s count counts ("rows", "records") */
    Progress(long total, String unit) {
        this.total = Math.max(1, total);
        this.unit = unit;
    }

    void show(long done, long rows) {
        double fraction = Math.min(1, (double) done / total);
        double seconds = (System.nanoTime() - started) / 1e9;
        int filled = (int) Math.round(fraction * WIDTH);
        String line = String.format("[%s%s] %3.0f%%  %,d %s  %,.0f %s/s", "#".repeat(filled),
                "-".repeat(WIDTH - filled), fraction * 100, rows, unit, rows / Math.max(seconds, 1e-3), unit);
        if (terminal) {
            System.err.print("\r" + line);
        } else if ((int) (fraction * 10) > lastDecile) {
            lastDecile = (int) (fraction * 10);
            System.err.println(line);
        }
    }

    void end() {
        if (terminal) {
            System.err.println();
        }
    }
}
