package dev.netpol.lab.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short system commands (ip, kill) and reports failures with the command line and stderr. */
public final class Shell {
  private Shell() {}

  /** Exit status and combined output of a finished command. */
  public record Result(int rc, String out) {
    public boolean ok() {
      return rc == 0;
    }
  }

  public static Result run(List<String> cmd) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(124, out + " (timed out)");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run `" + String.join(" ", cmd) + "`", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running `" + String.join(" ", cmd) + "`");
    }
  }

  public static Result run(String... cmd) {
    return run(List.of(cmd));
  }

  /** Runs the command and returns its output; throws when it fails. */
  public static String check(String... cmd) {
    Result r = run(cmd);
    if (!r.ok()) {
      throw new IllegalStateException(
          "`" + String.join(" ", cmd) + "` failed (" + r.rc() + "): " + r.out().strip());
    }
    return r.out();
  }
}
