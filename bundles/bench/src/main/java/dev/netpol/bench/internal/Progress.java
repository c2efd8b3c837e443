package dev.netpol.bench.internal;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One line per finished point: which suite and point, its headline result, the load average and the
 * time left. The ETA scales the remaining points' a-priori estimates by how long the finished ones
 * really took compared with theirs.
 */
public final class Progress {
  private final PrintStream out;
  private final long start = System.nanoTime();
  private double plannedSeconds;
  private double doneEstimateSeconds;
  private int planned;
  private int done;

  public Progress(PrintStream out) {
    this.out = out;
  }

  /** Adds {@code points} points of about {@code secondsEach} each to the plan. */
  public synchronized void plan(int points, double secondsEach) {
    planned += points;
    plannedSeconds += points * secondsEach;
  }

  /** Marks one point of about {@code estimateSeconds} done and prints its line. */
  public synchronized void done(String suite, String point, double estimateSeconds, String result) {
    done++;
    doneEstimateSeconds += estimateSeconds;
    double elapsed = (System.nanoTime() - start) / 1e9;
    double scale = doneEstimateSeconds > 0 ? elapsed / doneEstimateSeconds : 1;
    double left = Math.max(0, (plannedSeconds - doneEstimateSeconds) * scale);
    out.printf(
        Locale.ROOT,
        "[%s %d/%d] %s: %s | load %.2f | elapsed %s, ETA %s%n",
        suite,
        done,
        Math.max(planned, done),
        point,
        result,
        Machine.loadAverage(),
        duration(elapsed),
        duration(left));
    out.flush();
  }

  /** A line that is not a point (setup, notes). */
  public synchronized void note(String suite, String text) {
    out.printf(Locale.ROOT, "[%s] %s%n", suite, text);
    out.flush();
  }

  public static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
