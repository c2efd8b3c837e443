package dev.netpol.serviceproxy.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders the nat table the way kube-proxy's iptables mode does, under our own chain prefix: {@code
 * P-SERVICES} (jumped to from PREROUTING and OUTPUT) matches ClusterIP:port and jumps to one {@code
 * P-SVC-<hash>} per service port, which picks an endpoint with {@code -m statistic --mode random
 * --probability 1/(n-i)} and jumps to {@code P-SEP-<hash>}, which DNATs. A pod reaching itself
 * through its Service (hairpin) is marked and masqueraded in {@code P-POSTROUTING}, else the pod
 * would drop a packet from its own address.
 */
final class NatRules {
  /** iptables chain names are at most 28 characters. */
  static final int MAX_CHAIN = 28;

  final String prefix;
  final String mark;

  NatRules(String prefix, String mark) {
    if (!prefix.matches("[A-Za-z][A-Za-z0-9_]{1,11}")) {
      throw new IllegalArgumentException(
          "netpol.serviceproxy.chain-prefix '"
              + prefix
              + "' must be 2..12 letters, digits or '_', starting with a letter");
    }
    this.prefix = prefix;
    this.mark = mark;
  }

  String services() {
    return prefix + "-SERVICES";
  }

  String postrouting() {
    return prefix + "-POSTROUTING";
  }

  String markMasq() {
    return prefix + "-MARK-MASQ";
  }

  /** Chains of ours start with this. */
  String ownPrefix() {
    return prefix + "-";
  }

  String svcChain(ServicePortEntry e) {
    return hashed(
        "-SVC-", e.describe() + "/" + e.protocol() + "/" + e.clusterIp() + ":" + e.port());
  }

  String sepChain(ServicePortEntry e, ServicePortEntry.Backend b) {
    return hashed(
        "-SEP-",
        e.describe()
            + "/"
            + e.protocol()
            + "/"
            + e.clusterIp()
            + ":"
            + e.port()
            + "->"
            + b.ip()
            + ":"
            + b.port());
  }

  private String hashed(String kind, String identity) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      String b32 =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(d)
              .replaceAll("[^A-Za-z0-9]", "")
              .toUpperCase(Locale.ROOT);
      return prefix
          + kind
          + b32.substring(0, Math.min(16, MAX_CHAIN - prefix.length() - kind.length()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The restore input for one family: every chain of ours declared (which flushes it), rules
   * appended, and chains of ours that are no longer wanted ({@code existing} minus desired)
   * deleted.
   */
  String render(Family f, List<ServicePortEntry> entries, List<String> existing) {
    List<ServicePortEntry> mine =
        entries.stream()
            .filter(e -> e.family() == f && !e.backends().isEmpty())
            .sorted(
                Comparator.comparing(ServicePortEntry::describe)
                    .thenComparing(ServicePortEntry::protocol)
                    .thenComparing(ServicePortEntry::clusterIp))
            .toList();
    Set<String> chains = new LinkedHashSet<>(List.of(services(), postrouting(), markMasq()));
    List<String> rules = new ArrayList<>();
    rules.add("-A " + markMasq() + " -j MARK --or-mark " + mark);
    rules.add("-A " + postrouting() + " -m mark ! --mark " + mark + "/" + mark + " -j RETURN");
    rules.add("-A " + postrouting() + " -j MARK --xor-mark " + mark);
    rules.add(
        "-A "
            + postrouting()
            + " -m comment --comment \"netpol service traffic requiring SNAT\" -j MASQUERADE");
    for (ServicePortEntry e : mine) {
      String proto = e.protocol().toLowerCase(Locale.ROOT);
      String svc = svcChain(e);
      chains.add(svc);
      rules.add(
          "-A "
              + services()
              + " -d "
              + e.clusterIp()
              + f.hostMask
              + " -p "
              + proto
              + " -m comment --comment \""
              + e.describe()
              + " cluster IP\" -m "
              + proto
              + " --dport "
              + e.port()
              + " -j "
              + svc);
      int n = e.backends().size();
      for (int i = 0; i < n; i++) {
        ServicePortEntry.Backend b = e.backends().get(i);
        String sep = sepChain(e, b);
        chains.add(sep);
        String pick =
            i == n - 1
                ? ""
                : String.format(
                    Locale.ROOT, " -m statistic --mode random --probability %.10f", 1.0 / (n - i));
        rules.add(
            "-A "
                + svc
                + " -m comment --comment \""
                + e.describe()
                + " -> "
                + f.hostPort(b.ip(), b.port())
                + "\""
                + pick
                + " -j "
                + sep);
        rules.add(
            "-A "
                + sep
                + " -s "
                + b.ip()
                + f.hostMask
                + " -m comment --comment \""
                + e.describe()
                + " hairpin\" -j "
                + markMasq());
        rules.add(
            "-A "
                + sep
                + " -p "
                + proto
                + " -m comment --comment \""
                + e.describe()
                + "\" -m "
                + proto
                + " -j DNAT --to-destination "
                + f.hostPort(b.ip(), b.port()));
      }
    }
    StringBuilder out = new StringBuilder("*nat\n");
    Set<String> stale = new LinkedHashSet<>(existing);
    stale.removeAll(chains);
    chains.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
    stale.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
    rules.forEach(r -> out.append(r).append('\n'));
    stale.forEach(c -> out.append("-X ").append(c).append('\n'));
    return out.append("COMMIT\n").toString();
  }

  /** Flushes and deletes the given chains of ours (the built-in jumps must be gone first). */
  String teardown(List<String> existing) {
    StringBuilder out = new StringBuilder("*nat\n");
    existing.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
    existing.forEach(c -> out.append("-X ").append(c).append('\n'));
    return out.append("COMMIT\n").toString();
  }

  /** The jump from a built-in chain into ours. */
  List<String> jump(String target) {
    return List.of("-m", "comment", "--comment", "netpol service proxy", "-j", target);
  }
}
