package dev.netpol.serviceproxy.internal;

import dev.netpol.netfilter.process.Processes;
import java.time.Duration;
import java.util.List;

/** Runs iptables tools, optionally feeding them stdin, and reports failures with their output. */
final class Shell {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Shell() {}

  record Result(int rc, String out) {
    boolean ok() {
      return rc == 0;
    }
  }

  static Result run(List<String> cmd, String stdin) {
    // the shared helper reads output while waiting, so the deadline fires even on a hung child
    Processes.Result r = Processes.run(cmd, stdin, TIMEOUT);
    String out = r.out() + r.err();
    return new Result(r.rc(), r.timedOut() ? out + " (timed out)" : out);
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
