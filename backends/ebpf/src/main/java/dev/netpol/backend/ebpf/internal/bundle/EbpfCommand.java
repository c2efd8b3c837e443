package dev.netpol.backend.ebpf.internal.bundle;

import dev.netpol.backend.ebpf.EbpfCli;
import dev.netpol.launcher.spi.Command;
import java.io.PrintStream;
import java.util.List;

/** {@code bin/netpol ebpf ...}: datapath introspection from the pins, agent up or down. */
final class EbpfCommand implements Command {
  @Override
  public String summary() {
    return "inspect the datapath: progs | maps | loaded | dump-map ID | conntrack | events | cost | release";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.println(
          "usage: netpol ebpf [--root DIR] COMMAND   (works from the pins, also while the agent is down)");
      out.println(
          "  progs           the node's two programs (loaded once per node), per pod and direction");
      out.println("  maps            netpol's node-wide maps and each pod's rule trie");
      out.println(
          "  loaded          each pod: interface, the programs its filters run, policy, rule trie");
      out.println("  pods            the same as loaded");
      out.println(
          "  dump-map ID     a map's entries (by id, or a node-wide map's name such as np_pods),");
      out.println("                  decoded when netpol knows the layout, hex otherwise");
      out.println("  conntrack       the node-wide connection tracking table");
      out.println("  events [SECS]   live verdict events for SECS seconds (default 5)");
      out.println(
          "  cost [SECS]     what the programs cost on live traffic over SECS seconds (default 5):");
      out.println(
          "                  runs/s, ns per run and % of one CPU (kernel run-time statistics)");
      out.println(
          "  release         remove every pod's filters and pins and the node-wide pins (what an");
      out.println(
          "                  agent runs after handing over to another backend; enforcement stops)");
      out.println("  --root DIR      bpffs root of the pins (default /sys/fs/bpf/netpol)");
      return 0;
    }
    return new EbpfCli().run(args, out, err);
  }
}
