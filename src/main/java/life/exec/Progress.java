package life.exec;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Sweep progress: a terminal progress bar with rate and ETA when the output is a terminal, else a plain log line
 * every {@code intervalSeconds} (the progress bar library would write carriage returns into log files).
 */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;
  private final PrintStream log;
  private final long total;
  private final long startNanos = System.nanoTime();
  private final double intervalSeconds;
  private long done;
  private long lastLog = System.nanoTime();

  Progress(String name, long totalPoints, long alreadyDone, boolean quiet, double intervalSeconds) {
    this.total = totalPoints;
    this.done = alreadyDone;
    this.intervalSeconds = intervalSeconds;
    boolean terminal = System.console() != null && !quiet;
    this.bar = terminal ? new ProgressBarBuilder().setTaskName(name).setInitialMax(totalPoints)
        .setStyle(ProgressBarStyle.ASCII).setUnit(" pts", 1).showSpeed().startsFrom(alreadyDone,
            java.time.Duration.ZERO).build() : null;
    this.log = terminal || quiet ? null : System.err;
  }

  synchronized void advance(long points) {
    done += points;
    if (bar != null) {
      bar.stepBy(points);
    } else if (log != null && (System.nanoTime() - lastLog) / 1e9 >= intervalSeconds) {
      lastLog = System.nanoTime();
      double el = (lastLog - startNanos) / 1e9;
      double rate = done / Math.max(el, 1e-9);
      log.printf(Locale.ROOT, "life: %d / %d points (%.1f %%), %.0f points/s, ETA %.0f s%n", done, total,
          100.0 * done / total, rate, (total - done) / Math.max(rate, 1e-9));
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
