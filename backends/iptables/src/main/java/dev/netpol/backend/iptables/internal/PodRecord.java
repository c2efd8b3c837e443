package dev.netpol.backend.iptables.internal;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.netfilter.Chain;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.SavedRule;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the backend programmed for a pod, kept in the kernel as the comments of the pod's {@code
 * P-M-h} chain (no packet ever enters it) so that a restarted agent reads it back: pod, host
 * interface, addresses, policy digest, and the digest of the pod's chains in each family (so that
 * an update writes only the family whose chains changed). Which sets the pod uses is read from its
 * chains' {@code --match-set} matches.
 */
public record PodRecord(
    PodKey key,
    String hostInterface,
    List<InetAddress> addresses,
    String digest,
    String chains4,
    String chains6) {
  /** iptables keeps at most 256 characters of a comment. */
  static final int MAX_COMMENT = 255;

  public Chain chain(Names names) {
    String pod = "pod=" + key;
    if (pod.length() > MAX_COMMENT) {
      throw new IllegalArgumentException(
          "pod " + key + ": namespace/name longer than " + (MAX_COMMENT - 4) + " characters");
    }
    StringBuilder addrs = new StringBuilder();
    for (InetAddress a : addresses) {
      addrs.append(addrs.length() == 0 ? "" : ",").append(a.getHostAddress());
    }
    return new Chain(
        names.infoChain(),
        List.of(
            PodRules.comment(pod).strip(),
            PodRules.comment(
                    "if="
                        + hostInterface
                        + " digest="
                        + digest
                        + " v4="
                        + chains4
                        + " v6="
                        + chains6
                        + " addrs="
                        + addrs)
                .strip()));
  }

  /** Reads a record back from the saved rules of a {@code P-M-h} chain; null if incomplete. */
  public static PodRecord parse(List<SavedRule> rules) {
    PodKey key = null;
    Map<String, String> kv = new HashMap<>();
    for (SavedRule r : rules) {
      String c = r.comment();
      if (c.startsWith("pod=")) {
        key = PodKey.parse(c.substring(4));
      } else {
        for (String w : c.split(" ")) {
          int eq = w.indexOf('=');
          if (eq > 0) {
            kv.put(w.substring(0, eq), w.substring(eq + 1));
          }
        }
      }
    }
    if (key == null || !kv.containsKey("if")) {
      return null;
    }
    List<InetAddress> addrs = new ArrayList<>();
    for (String a : kv.getOrDefault("addrs", "").split(",")) {
      if (!a.isEmpty()) {
        addrs.add(Cidr.parseAddress(a, "addrs", a));
      }
    }
    // a record of an older layout has no chain digests: its chains are rewritten at the next change
    return new PodRecord(
        key,
        kv.get("if"),
        addrs,
        kv.getOrDefault("digest", ""),
        kv.getOrDefault("v4", ""),
        kv.getOrDefault("v6", ""));
  }

  /** The digest of the pod's chains in one family. */
  public String chains(Family f) {
    return f == Family.V4 ? chains4 : chains6;
  }
}
