package dev.netpol.backend.iptables.internal;

import dev.netpol.api.BackendStatistics.VerdictCount;
import dev.netpol.api.PodKey;
import dev.netpol.netfilter.Netfilter;
import dev.netpol.netfilter.SavedRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verdict counts from the packet counters of the pods' chains: each rule's comment says why it
 * decides ({@link PodRules}), {@code RETURN} allows, anything else drops.
 */
public final class RuleCounters {
  private RuleCounters() {}

  private record Key(PodKey pod, String direction, boolean allowed, String policy, String why) {}

  /** Counts of these pods' chains in the saved tables (both families add up). */
  public static List<VerdictCount> verdicts(
      String prefix, Collection<PodKey> pods, List<Netfilter.Saved> tables) {
    Map<String, PodKey> byHash = new HashMap<>();
    for (PodKey k : pods) {
      byHash.put(Names.hash(k), k);
    }
    Map<Key, Long> counts = new LinkedHashMap<>();
    for (Netfilter.Saved saved : tables) {
      for (Map.Entry<String, List<SavedRule>> ch : saved.chains().entrySet()) {
        String rest = ch.getKey().substring(prefix.length());
        if (!rest.startsWith("-I-") && !rest.startsWith("-E-")) {
          continue;
        }
        PodKey pod = byHash.get(rest.substring(3));
        if (pod == null) {
          continue;
        }
        String dir = rest.startsWith("-I-") ? "ingress" : "egress";
        for (SavedRule r : ch.getValue()) {
          String why = r.comment();
          if (why.equals(PodRules.ND)) {
            continue;
          }
          boolean rule = why.startsWith(PodRules.RULE);
          Key key =
              new Key(
                  pod,
                  dir,
                  r.target().equals("RETURN"),
                  rule ? why.substring(PodRules.RULE.length()) : "",
                  rule ? "rule" : why);
          counts.merge(key, r.packets(), Long::sum);
        }
      }
    }
    List<VerdictCount> out = new ArrayList<>();
    counts.forEach(
        (k, n) ->
            out.add(new VerdictCount(k.pod(), k.direction(), k.allowed(), k.policy(), k.why(), n)));
    return out;
  }
}
