package dev.netpol.bench.internal;

import dev.netpol.netfilter.process.Processes;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * System commands of the benchmarks (ip, iperf3, kubectl, bin/netpol): short ones run through
 * jnetfilter's {@link Processes}; long-running ones are started and stopped here.
 */
public final class Proc {
  private Proc() {}

  /** A finished command: exit status (-1 on timeout), merged output, wall time. */
  public record Result(List<String> command, int exit, String out, long millis) {
    public boolean ok() {
      return exit == 0;
    }

    /** Throws with the command line and its output unless it exited 0. */
    public Result check() {
      if (!ok()) {
        throw new IllegalStateException(
            "`" + String.join(" ", command) + "` failed (" + exit + "): " + out.strip());
      }
      return this;
    }
  }

  /**
   * Runs through the project's one process helper (output read while waiting, killed at the
   * deadline).
   */
  public static Result run(long timeoutSeconds, List<String> command) {
    long t0 = System.nanoTime();
    Processes.Result r = Processes.run(command, Duration.ofSeconds(timeoutSeconds));
    // stderr after stdout: kubectl -v logs there, and callers read both as one text
    String out = r.err().isEmpty() ? r.out() : r.out() + r.err();
    if (r.timedOut()) {
      return new Result(command, -1, "timed out after " + timeoutSeconds + " s: " + out, ms(t0));
    }
    return new Result(command, r.rc(), out, ms(t0));
  }

  public static Result run(String... command) {
    return run(120, List.of(command));
  }

  /** The command inside a network namespace. */
  public static List<String> inNetns(String netns, String... command) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    c.addAll(List.of(command));
    return c;
  }

  /** Starts a long-running command with its output going to {@code log}. */
  public static Process start(List<String> command, Path log) {
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start `" + String.join(" ", command) + "`", e);
    }
  }

  /** SIGTERM to the process and its descendants, SIGKILL after {@code graceMillis}. */
  public static void stop(Process p, long graceMillis) {
    if (p == null) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    tree.add(p.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long end = System.currentTimeMillis() + graceMillis;
    for (ProcessHandle h : tree) {
      try {
        h.onExit().get(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
