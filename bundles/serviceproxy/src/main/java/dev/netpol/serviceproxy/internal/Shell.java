package dev.netpol.serviceproxy.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs iptables tools, optionally feeding them stdin, and reports failures with their output. */
final class Shell {
  private Shell() {}

  record Result(int rc, String out) {
    boolean ok() {
      return rc == 0;
    }
  }

  static Result run(List<String> cmd, String stdin) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (OutputStream in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
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

  static String check(List<String> cmd, String stdin) {
    Result r = run(cmd, stdin);
    if (!r.ok()) {
      throw new IllegalStateException(
          "`" + String.join(" ", cmd) + "` failed (" + r.rc() + "): " + r.out().strip());
    }
    return r.out();
  }
}
