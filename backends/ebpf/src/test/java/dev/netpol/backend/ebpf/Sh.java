package dev.netpol.backend.ebpf;

import dev.netpol.netfilter.process.Processes;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Runs commands (ip, tc, python3) for kernel tests. */
final class Sh {
  record Result(int rc, String out) {}

  private Sh() {}

  /** Through jnetfilter's {@link Processes}: output read while waiting, killed at 60 s. */
  static Result run(String... cmd) {
    Processes.Result r = Processes.run(List.of(cmd), Duration.ofSeconds(60));
    return new Result(r.timedOut() ? -1 : r.rc(), r.out() + r.err());
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
