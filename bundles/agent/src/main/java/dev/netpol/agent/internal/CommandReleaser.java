package dev.netpol.agent.internal;

import dev.netpol.netfilter.process.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Releases a backend's kernel state out of process with the {@code bin/netpol} command it
 * advertised, for a backend whose bundle is no longer running. Output is read while the command
 * runs, and the command is killed after {@link #TIMEOUT_SECONDS}.
 */
final class CommandReleaser implements BackendSwitcher.Releaser {
  static final long TIMEOUT_SECONDS = 120;
  private final String home;

  /** {@code home}: the distribution folder ({@code netpol.home}), or null when unknown. */
  CommandReleaser(String home) {
    this.home = home;
  }

  @Override
  public void release(String backend, List<String> args) throws Exception {
    if (home == null) {
      throw new IllegalStateException("netpol.home is not set: bin/netpol cannot be found");
    }
    Path netpol = Path.of(home, "bin", "netpol");
    if (!Files.isExecutable(netpol)) {
      throw new IllegalStateException(netpol + " is not executable");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(netpol.toString());
    cmd.addAll(args);
    // the shared helper reads output while waiting and kills the child at the deadline
    Processes.Result r = Processes.run(cmd, null, Duration.ofSeconds(TIMEOUT_SECONDS));
    if (r.timedOut()) {
      throw new IllegalStateException(
          String.join(" ", cmd) + " did not finish in " + TIMEOUT_SECONDS + " s");
    }
    String text = (r.out() + r.err()).trim();
    if (r.rc() != 0) {
      String[] lines = text.split("\n");
      throw new IllegalStateException(
          String.join(" ", cmd)
              + " exited "
              + r.rc()
              + (text.isEmpty() ? "" : ": " + lines[lines.length - 1]));
    }
  }
}
