package dev.netpol.backend.iptables.internal;

import dev.netpol.api.model.Direction;
import dev.netpol.netfilter.Chain;
import dev.netpol.netfilter.Netfilter;
import dev.netpol.netfilter.SavedRule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How packets reach a pod's chains: our hooks in the built-in chains jump to the two dispatch
 * chains, which jump by the pod's host interface ({@code -o} towards the pod, {@code -i} from it).
 * Also where the pods' identity records are found in a saved table.
 */
public final class Dispatch {
  private static final String JUMP_COMMENT = "-m comment --comment netpol";

  private Dispatch() {}

  /** The two dispatch chains for these pods, each pod's jump keyed by its host interface. */
  public static List<Chain> chains(String prefix, Collection<PodRecord> pods) {
    List<String> to = new ArrayList<>();
    List<String> from = new ArrayList<>();
    for (PodRecord r : pods) {
      Names n = Names.of(prefix, r.key());
      to.add("-o " + r.hostInterface() + " -j " + n.podChain(Direction.INGRESS));
      from.add("-i " + r.hostInterface() + " -j " + n.podChain(Direction.EGRESS));
    }
    return List.of(new Chain(Names.toPod(prefix), to), new Chain(Names.fromPod(prefix), from));
  }

  /**
   * Our hooks: forwarded packets both ways, and the node's own traffic to (OUTPUT) and from (INPUT)
   * its pods.
   */
  public static List<Netfilter.Jump> hooks(String prefix) {
    String to = Names.toPod(prefix);
    String from = Names.fromPod(prefix);
    return List.of(
        new Netfilter.Jump("FORWARD", JUMP_COMMENT + " -j " + from),
        new Netfilter.Jump("FORWARD", JUMP_COMMENT + " -j " + to),
        new Netfilter.Jump("INPUT", JUMP_COMMENT + " -j " + from),
        new Netfilter.Jump("OUTPUT", JUMP_COMMENT + " -j " + to));
  }

  /** The pods' identity records in a saved IPv4 filter table, by their {@code P-M-h} chain. */
  public static Map<String, PodRecord> records(String prefix, Netfilter.Saved v4) {
    Map<String, PodRecord> out = new TreeMap<>();
    String infoPrefix = prefix + "-M-";
    for (Map.Entry<String, List<SavedRule>> c : v4.chains().entrySet()) {
      if (c.getKey().startsWith(infoPrefix)) {
        PodRecord r = PodRecord.parse(c.getValue());
        if (r != null) {
          out.put(c.getKey(), r);
        }
      }
    }
    return out;
  }
}
