package dev.netpol.itests.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a timeout and captures its output. */
final class Sh {
  record Result(int code, String out, String err) {
    boolean ok() {
      return code == 0;
    }
  }

  private Sh() {}

  static Result run(List<String> cmd, String stdin, long timeoutSeconds) {
    try {
      Process p = start(cmd);
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(
            -1,
            out.getNow(""),
            "timed out after " + timeoutSeconds + "s: " + String.join(" ", cmd));
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /**
   * Starts the process; one retry, as a loaded machine now and then fails the JDK's spawn helper.
   */
  private static Process start(List<String> cmd) throws IOException, InterruptedException {
    try {
      return new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      Thread.sleep(300);
      return new ProcessBuilder(cmd).start();
    }
  }

  static Result run(String... cmd) {
    return run(List.of(cmd), null, 30);
  }

  /** Runs and fails with the command and its stderr when it does not exit 0. */
  static String ok(String... cmd) {
    Result r = run(cmd);
    if (!r.ok()) {
      throw new IllegalStateException(
          "'" + String.join(" ", cmd) + "' exited " + r.code() + ": " + r.err().trim());
    }
    return r.out();
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
