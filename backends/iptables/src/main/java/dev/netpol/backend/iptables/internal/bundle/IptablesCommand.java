package dev.netpol.backend.iptables.internal.bundle;

import dev.netpol.backend.iptables.IptablesCli;
import dev.netpol.launcher.spi.Command;
import java.io.PrintStream;
import java.util.List;

/** {@code bin/netpol iptables ...}: the iptables backend's chains, sets and counters per pod. */
final class IptablesCommand implements Command {
  @Override
  public String summary() {
    return "inspect the iptables backend: show [NS/NAME] | release";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    return new IptablesCli().run(args, out, err);
  }
}
