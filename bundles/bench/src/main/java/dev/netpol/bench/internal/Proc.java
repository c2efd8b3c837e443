package dev.netpol.bench.internal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs system commands (ip, iperf3, kubectl, bin/netpol): output, exit status, time limits. */
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

  public static Result run(long timeoutSeconds, List<String> command) {
    long t0 = System.nanoTime();
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      CompletableFuture<byte[]> out = readAll(p);
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return new Result(
            command,
            -1,
            "timed out after " + timeoutSeconds + " s: " + new String(out.getNow(new byte[0])),
            ms(t0));
      }
      String text = new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
      return new Result(command, p.exitValue(), text, ms(t0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run `" + String.join(" ", command) + "`", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command));
    } catch (Exception e) {
      throw new IllegalStateException("`" + String.join(" ", command) + "`: " + e, e);
    }
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

  /** Reads the output on its own thread (the common pool has one thread on a 2-core box). */
  private static CompletableFuture<byte[]> readAll(Process p) {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(p.getInputStream().readAllBytes());
              } catch (IOException e) {
                f.complete(new byte[0]);
              }
            },
            "bench-proc-output");
    t.setDaemon(true);
    t.start();
    return f;
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
