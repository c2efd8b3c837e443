package dev.netpol.serviceproxy.internal;

import dev.netpol.netfilter.Chain;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.Netfilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the nat table the way kube-proxy's iptables mode does, under our own chain prefix: {@code
 * P-SERVICES} (jumped to from PREROUTING and OUTPUT) matches ClusterIP:port and jumps to one {@code
 * P-SVC-<hash>} per service port, which picks an endpoint with {@code -m statistic --mode random
 * --probability 1/(n-i)} and jumps to {@code P-SEP-<hash>}, which DNATs. A pod reaching itself
 * through its Service (hairpin) is marked and masqueraded in {@code P-POSTROUTING}, else the pod
 * would drop a packet from its own address.
 */
final class NatRules {
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
          + b32.substring(
              0, Math.min(16, Netfilter.MAX_CHAIN_NAME - prefix.length() - kind.length()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Every chain of ours for one family, each complete: {@code P-SERVICES}, {@code P-POSTROUTING},
   * {@code P-MARK-MASQ}, and per service port with endpoints its {@code P-SVC-*} and {@code
   * P-SEP-*} chains. Written in one transaction, with the chains of ours no longer wanted deleted.
   */
  List<Chain> chains(Family f, List<ServicePortEntry> entries) {
    List<ServicePortEntry> mine =
        entries.stream()
            .filter(e -> e.family() == f && !e.backends().isEmpty())
            .sorted(
                Comparator.comparing(ServicePortEntry::describe)
                    .thenComparing(ServicePortEntry::protocol)
                    .thenComparing(ServicePortEntry::clusterIp))
            .toList();
    Map<String, List<String>> chains = new LinkedHashMap<>();
    chains.put(services(), new ArrayList<>());
    chains.put(postrouting(), new ArrayList<>());
    chains.put(markMasq(), new ArrayList<>());
    chains.get(markMasq()).add("-j MARK --or-mark " + mark);
    List<String> post = chains.get(postrouting());
    post.add("-m mark ! --mark " + mark + "/" + mark + " -j RETURN");
    post.add("-j MARK --xor-mark " + mark);
    post.add("-m comment --comment \"netpol service traffic requiring SNAT\" -j MASQUERADE");
    for (ServicePortEntry e : mine) {
      String proto = e.protocol().toLowerCase(Locale.ROOT);
      String svc = svcChain(e);
      chains
          .get(services())
          .add(
              "-d "
                  + e.clusterIp()
                  + hostMask(f)
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
      List<String> pick = chains.computeIfAbsent(svc, k -> new ArrayList<>());
      int n = e.backends().size();
      for (int i = 0; i < n; i++) {
        ServicePortEntry.Backend b = e.backends().get(i);
        String sep = sepChain(e, b);
        String random =
            i == n - 1
                ? ""
                : String.format(
                    Locale.ROOT, " -m statistic --mode random --probability %.10f", 1.0 / (n - i));
        pick.add(
            "-m comment --comment \""
                + e.describe()
                + " -> "
                + hostPort(f, b.ip(), b.port())
                + "\""
                + random
                + " -j "
                + sep);
        chains.put(
            sep,
            List.of(
                "-s "
                    + b.ip()
                    + hostMask(f)
                    + " -m comment --comment \""
                    + e.describe()
                    + " hairpin\" -j "
                    + markMasq(),
                "-p "
                    + proto
                    + " -m comment --comment \""
                    + e.describe()
                    + "\" -m "
                    + proto
                    + " -j DNAT --to-destination "
                    + hostPort(f, b.ip(), b.port())));
      }
    }
    List<Chain> out = new ArrayList<>();
    chains.forEach((name, rules) -> out.add(new Chain(name, rules)));
    return out;
  }

  /** Our hooks: {@code PREROUTING} and {@code OUTPUT} to the services, {@code POSTROUTING}. */
  List<Netfilter.Jump> hooks() {
    String c = "-m comment --comment \"netpol service proxy\" -j ";
    return List.of(
        new Netfilter.Jump("PREROUTING", c + services()),
        new Netfilter.Jump("OUTPUT", c + services()),
        new Netfilter.Jump("POSTROUTING", c + postrouting()));
  }

  static String hostMask(Family f) {
    return f == Family.V6 ? "/128" : "/32";
  }

  /** {@code ip:port}, with brackets for IPv6 as DNAT --to-destination wants. */
  static String hostPort(Family f, String ip, int port) {
    return f == Family.V6 ? "[" + ip + "]:" + port : ip + ":" + port;
  }
}
