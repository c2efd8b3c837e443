package dev.netpol.backend.iptables;

import dev.netpol.api.EnforcementException;
import dev.netpol.api.PodKey;
import dev.netpol.api.model.Direction;
import dev.netpol.backend.iptables.internal.Names;
import dev.netpol.backend.iptables.internal.PodRecord;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.IpSet;
import dev.netpol.netfilter.Netfilter;
import dev.netpol.netfilter.SavedRule;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/netpol iptables [--prefix P] show [NS/NAME] | release}: what is programmed per pod,
 * read from the kernel (agent up or down).
 */
public final class IptablesCli {
  public static final String USAGE =
      """
      usage: netpol iptables [--prefix P] COMMAND   (reads the kernel; works while the agent is down)
        show [NS/NAME]  per pod: host interface, policy digest, its chains with packet counters and
                        the members of its peer sets (IPv4 and IPv6)
        release         remove every chain and set of ours and our jumps in INPUT/FORWARD/OUTPUT
                        (what an agent runs after handing over to another backend)
        --prefix P      first part of our chain and set names (default NPIPT)""";

  public int run(List<String> args, PrintStream out, PrintStream err) {
    List<String> a = new ArrayList<>(args);
    String prefix = IptablesBackend.DEFAULT_PREFIX;
    int i = a.indexOf("--prefix");
    if (i >= 0) {
      if (i + 1 >= a.size()) {
        err.println("--prefix needs a value");
        return 2;
      }
      prefix = a.get(i + 1);
      a.remove(i + 1);
      a.remove(i);
    }
    if (a.isEmpty() || a.contains("--help") || a.contains("-h")) {
      out.println(USAGE);
      return a.isEmpty() ? 2 : 0;
    }
    try {
      switch (a.get(0)) {
        case "show":
          return show(prefix, a.size() > 1 ? PodKey.parse(a.get(1)) : null, out, err);
        case "release":
          new IptablesBackend(new IptablesBackend.Config(prefix, Duration.ofSeconds(30))).release();
          out.println("released every chain and set " + prefix + "-*");
          return 0;
        default:
          err.println("unknown command '" + a.get(0) + "'\n" + USAGE);
          return 2;
      }
    } catch (EnforcementException | RuntimeException e) {
      err.println("iptables: " + e.getMessage());
      return 1;
    }
  }

  private int show(String prefix, PodKey only, PrintStream out, PrintStream err) {
    Netfilter nf = new Netfilter(prefix, Duration.ofSeconds(30));
    Netfilter.Saved v4 = nf.save(Family.V4);
    Netfilter.Saved v6 = nf.save(Family.V6);
    Map<String, IpSet> sets = nf.sets();
    int shown = 0;
    for (Map.Entry<String, List<SavedRule>> c : v4.chains().entrySet()) {
      if (!c.getKey().startsWith(prefix + "-M-")) {
        continue;
      }
      PodRecord r = PodRecord.parse(c.getValue());
      if (r == null || (only != null && !only.equals(r.key()))) {
        continue;
      }
      shown++;
      Names n = Names.of(prefix, r.key());
      out.printf(
          "pod %s  interface %s  addresses %s  policy %s%n",
          r.key(), r.hostInterface(), r.addresses(), r.digest());
      for (Family f : Family.values()) {
        Netfilter.Saved saved = f == Family.V4 ? v4 : v6;
        for (Direction d : Direction.values()) {
          String chain = n.podChain(d);
          out.printf("  %s %s (%s)%n", f.tool(), chain, d.name().toLowerCase());
          for (SavedRule rule : saved.chains().getOrDefault(chain, List.of())) {
            out.printf("    %10d pkts  %s%n", rule.packets(), rule.spec());
          }
        }
      }
      List<SavedRule> rules = new ArrayList<>();
      for (Netfilter.Saved saved : List.of(v4, v6)) {
        for (Direction d : Direction.values()) {
          rules.addAll(saved.chains().getOrDefault(n.podChain(d), List.of()));
        }
      }
      for (String name : Names.setsMatched(rules)) {
        IpSet s = sets.get(name);
        if (s != null) {
          out.printf("  set %s (%s): %s%n", s.name(), s.family().setFamily(), s.members());
        }
      }
    }
    if (only != null && shown == 0) {
      err.println("no pod " + only + " is programmed under prefix " + prefix);
      return 1;
    }
    if (shown == 0) {
      out.println("no pods programmed under prefix " + prefix);
    }
    return 0;
  }
}
