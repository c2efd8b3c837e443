package dev.netpol.ebpf.sdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ip(8) and friends for test set-up. */
final class Sh {
  private Sh() {}

  /** Runs the command; throws with its output if it fails. */
  static String run(String... cmd) {
    Result r = tryRun(cmd);
    if (r.exit != 0) {
      throw new IllegalStateException(
          String.join(" ", cmd) + " failed (" + r.exit + "): " + r.output);
    }
    return r.output;
  }

  static Result tryRun(String... cmd) {
    try {
      Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, out + " (timeout)");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, e.toString());
    }
  }

  record Result(int exit, String output) {}
}
