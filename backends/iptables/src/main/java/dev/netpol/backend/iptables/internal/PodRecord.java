package dev.netpol.backend.iptables.internal;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.netfilter.Chain;
import dev.netpol.netfilter.SavedRule;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the backend programmed for a pod, kept in the kernel as the comments of the pod's {@code
 * P-M-h} chain (no packet ever enters it) so that a restarted agent reads it back: pod, host
 * interface, addresses, policy digest, the digest of the chains' shape and the generation letter of
 * the sets they reference.
 */
public record PodRecord(
    PodKey key,
    String hostInterface,
    List<InetAddress> addresses,
    String digest,
    String shape,
    char gen) {
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
                        + " shape="
                        + shape
                        + " gen="
                        + gen
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
    if (key == null || !kv.containsKey("if") || !kv.containsKey("gen")) {
      return null;
    }
    List<InetAddress> addrs = new ArrayList<>();
    for (String a : kv.getOrDefault("addrs", "").split(",")) {
      if (!a.isEmpty()) {
        addrs.add(Cidr.parseAddress(a, "addrs", a));
      }
    }
    String gen = kv.get("gen");
    return new PodRecord(
        key,
        kv.get("if"),
        addrs,
        kv.getOrDefault("digest", ""),
        kv.getOrDefault("shape", ""),
        gen.isEmpty() ? 'a' : gen.charAt(0));
  }
}
