package dev.netpol.ebpf.sdk;

import dev.netpol.netfilter.process.Processes;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * Runs ip(8) and friends for test set-up, through jnetfilter's {@link Processes}: output read while
 * waiting, killed at 30 s.
 */
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

  /**
   * Runs the command; its exit code (-1 if it timed out or could not start), stdout then stderr.
   */
  static Result tryRun(String... cmd) {
    try {
      Processes.Result r = Processes.run(List.of(cmd), Duration.ofSeconds(30));
      return new Result(r.timedOut() ? -1 : r.rc(), r.out() + r.err());
    } catch (UncheckedIOException e) {
      return new Result(-1, e.toString());
    }
  }

  record Result(int exit, String output) {}
}
