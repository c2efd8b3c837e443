package dev.netpol.lab.internal;

import dev.netpol.netfilter.process.Processes;
import java.time.Duration;
import java.util.List;

/** Runs short system commands (ip, kill) and reports failures with the command line and stderr. */
public final class Shell {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Shell() {}

  /** Exit status and combined output of a finished command. */
  public record Result(int rc, String out) {
    public boolean ok() {
      return rc == 0;
    }
  }

  public static Result run(List<String> cmd) {
    // the shared helper reads output while waiting, so the deadline fires even on a hung child
    Processes.Result r = Processes.run(cmd, null, TIMEOUT);
    String out = r.out() + r.err();
    return new Result(r.rc(), r.timedOut() ? out + " (timed out)" : out);
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
