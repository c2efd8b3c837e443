package dev.netpol.itests.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Kernel state of the node at a failing step, for whoever fixes it: the datapath's view ({@code
 * bin/netpol ebpf --root <pins> loaded|conntrack}) and the service proxy's nat rules. Only runs
 * when a step failed, so a passing run pays nothing.
 */
final class Diagnostics {
  private final Path netpol;
  private final Path pinRoot;
  private final String chainPrefix;
  private final Path dir;

  Diagnostics(Path dist, Path pinRoot, String chainPrefix, Path dir) {
    this.netpol = dist.resolve("bin/netpol");
    this.pinRoot = pinRoot;
    this.chainPrefix = chainPrefix;
    this.dir = dir;
  }

  /** Writes the dump and returns its path. */
  Path dump(String name, String context) {
    StringBuilder sb = new StringBuilder(context).append("\n");
    for (String cmd : List.of("loaded", "conntrack")) {
      Sh.Result r =
          Sh.run(List.of(netpol.toString(), "ebpf", "--root", pinRoot.toString(), cmd), null, 40);
      sb.append("\n$ netpol ebpf ")
          .append(cmd)
          .append(" (exit ")
          .append(r.code())
          .append(")\n")
          .append(r.out())
          .append(r.err());
    }
    String iptables = chainPrefix.replaceFirst("^NPC", "NPI"); // StandaloneNode.iptablesPrefix
    Sh.Result shown =
        Sh.run(List.of(netpol.toString(), "iptables", "--prefix", iptables, "show"), null, 40);
    sb.append("\n$ netpol iptables --prefix ")
        .append(iptables)
        .append(" show (exit ")
        .append(shown.code())
        .append(")\n")
        .append(shown.out())
        .append(shown.err());
    for (String tool : List.of("iptables-save", "ip6tables-save")) {
      Sh.Result r = Sh.run(List.of(tool, "-t", "nat"), null, 20);
      sb.append("\n$ ").append(tool).append(" -t nat | grep ").append(chainPrefix).append("\n");
      r.out().lines().filter(l -> l.contains(chainPrefix)).forEach(l -> sb.append(l).append('\n'));
    }
    try {
      Files.createDirectories(dir);
      Path f = dir.resolve(name + ".txt");
      Files.writeString(f, sb.toString());
      return f;
    } catch (IOException e) {
      throw new IllegalStateException("cannot write diagnostics " + name, e);
    }
  }
}
