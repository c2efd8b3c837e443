package dev.netpol.netfilter.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a command with a deadline. Stdout and stderr are drained on their own threads while the
 * caller waits, so a chatty child never blocks on a full pipe and the deadline always fires; on
 * expiry the child and its descendants are killed and the result says so.
 */
public final class Processes {
  /** Exit code reported for a command killed at its deadline (as coreutils' timeout does). */
  public static final int TIMED_OUT = 124;

  private Processes() {}

  /** A finished command: exit code, stdout, stderr, and whether the deadline killed it. */
  public record Result(List<String> command, int rc, String out, String err, boolean timedOut) {
    public boolean ok() {
      return rc == 0 && !timedOut;
    }

    /** Returns stdout, or throws with the command line, exit code and stderr. */
    public String checked() {
      if (!ok()) {
        throw new CommandFailedException(this);
      }
      return out;
    }

    String describe() {
      String why = timedOut ? "timed out" : "exit " + rc;
      String text = (err.isBlank() ? out : err).strip();
      return "`"
          + String.join(" ", command)
          + "` failed ("
          + why
          + ")"
          + (text.isEmpty() ? "" : ": " + text);
    }
  }

  /** A command that exited non-zero or timed out. */
  public static final class CommandFailedException extends RuntimeException {
    private final transient Result result;

    public CommandFailedException(Result result) {
      super(result.describe());
      this.result = result;
    }

    public Result result() {
      return result;
    }
  }

  /**
   * Runs {@code command}, writing {@code stdin} (may be null) to it, killed after {@code timeout}.
   */
  public static Result run(List<String> command, String stdin, Duration timeout) {
    Process p;
    try {
      ProcessBuilder b = new ProcessBuilder(command);
      if (stdin == null) {
        b.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      }
      p = b.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run `" + String.join(" ", command) + "`", e);
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    CompletableFuture<Void> in =
        stdin == null
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(() -> feed(p.getOutputStream(), stdin), daemon());
    try {
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      in.cancel(true);
      return new Result(
          List.copyOf(command),
          done ? p.exitValue() : TIMED_OUT,
          collect(out),
          collect(err),
          !done);
    } catch (InterruptedException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while running `" + String.join(" ", command) + "`");
    }
  }

  public static Result run(List<String> command, Duration timeout) {
    return run(command, null, timeout);
  }

  /** Runs and returns stdout; throws {@link CommandFailedException} on failure or timeout. */
  public static String check(List<String> command, String stdin, Duration timeout) {
    return run(command, stdin, timeout).checked();
  }

  private static String collect(CompletableFuture<String> f) {
    try {
      // the pipes close when the (killed) process and its children are gone
      return f.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static CompletableFuture<String> drain(InputStream s) {
    return CompletableFuture.supplyAsync(
        () -> {
          ByteArrayOutputStream buf = new ByteArrayOutputStream();
          try (s) {
            s.transferTo(buf);
          } catch (IOException ignored) {
            // the process was killed: keep what was read
          }
          return buf.toString(StandardCharsets.UTF_8);
        },
        daemon());
  }

  private static void feed(OutputStream o, String text) {
    try (o) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // the child exited early (its output says why)
    }
  }

  private static java.util.concurrent.Executor daemon() {
    return r -> {
      Thread t = new Thread(r, "netpol-process-io");
      t.setDaemon(true);
      t.start();
    };
  }
}
