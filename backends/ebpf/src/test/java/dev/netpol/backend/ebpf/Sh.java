package dev.netpol.backend.ebpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands (ip, tc, python3) for kernel tests. */
final class Sh {
  record Result(int rc, String out) {}

  private Sh() {}

  static Result run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timeout: " + String.join(" ", cmd));
      }
      return new Result(
          p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String ok(String... cmd) {
    Result r = run(cmd);
    if (r.rc() != 0) {
      throw new IllegalStateException(
          String.join(" ", cmd) + " failed (" + r.rc() + "): " + r.out());
    }
    return r.out();
  }

  static Process start(List<String> cmd) {
    try {
      return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
