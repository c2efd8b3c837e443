package dev.netpol.backend.iptables.internal;

import dev.netpol.api.model.Direction;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.IpFamily;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Rule;
import dev.netpol.netfilter.Chain;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.IpSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders one pod's policy into its two chains and their peer sets for one family.
 *
 * <p>Chain {@code P-I-h} (reached for packets into the pod) and {@code P-E-h} (packets out of it):
 * neighbour discovery (IPv6), then replies of tracked connections ({@code ESTABLISHED} in the reply
 * direction, {@code RELATED}), then either {@code default-allow} or one iptables rule per port
 * range of each group of policy rules matching the group's peer set, then {@code DROP}. Allowed
 * packets {@code RETURN}: the other pod's chain (and whatever else the host has) still sees them,
 * as with two eBPF filters. Packets of the original direction are checked on every packet, so a
 * revoked rule cuts an established flow as the eBPF backend does.
 *
 * <p>A group is the policy rules of one direction with the same ports and the same policy: a packet
 * is allowed iff some rule has both its peer and its port, so such rules allow exactly the union of
 * their peers on those ports, and {@link PeerSets#members} of all their peers (each except still
 * scoped to its own peer) is one set. A policy of 50k ipBlock rules over 100 ports becomes 100
 * iptables rules and 100 sets rather than 50k of each; the counters still name the policy.
 */
public final class PodRules {
  /** Every rule's comment says why it decides; statistics() reads them back. */
  public static final String ESTABLISHED = "established";

  public static final String DEFAULT_ALLOW = "default-allow";
  public static final String DEFAULT_DENY = "default-deny";
  public static final String NO_RULE = "no-rule";
  public static final String ND = "nd";
  public static final String RULE = "rule=";

  private PodRules() {}

  /** One family's chains and the sets they reference (name → members). */
  public record Rendered(List<Chain> chains, Map<String, IpSet> sets) {
    /** 8 bytes of SHA-256 over the chains' names and rules: the pod record keeps it per family. */
    public String digest() {
      List<String> parts = new ArrayList<>();
      chains.forEach(c -> parts.add(c.name() + c.rules()));
      return Names.sha256Hex(8, parts);
    }
  }

  public static Rendered render(Names names, PodPolicy policy, Family family) {
    List<Chain> chains = new ArrayList<>();
    Map<String, IpSet> sets = new LinkedHashMap<>();
    for (Direction d : Direction.values()) {
      chains.add(new Chain(names.podChain(d), rules(names, d, policy.direction(d), family, sets)));
    }
    return new Rendered(chains, sets);
  }

  /** Policy rules with the same ports and origin, in the order their first rule comes. */
  private record Group(Rule first, List<Peer> peers) {}

  private static List<String> rules(
      Names names, Direction d, DirectionPolicy p, Family family, Map<String, IpSet> sets) {
    List<String> out = new ArrayList<>();
    if (family == Family.V6) {
      // router/neighbour solicitation/advertisement and redirect: pods lose L2 without them
      for (int type = 133; type <= 137; type++) {
        out.add("-p ipv6-icmp -m icmp6 --icmpv6-type " + type + comment(ND) + " -j RETURN");
      }
    }
    out.add("-m conntrack --ctstate RELATED" + comment(ESTABLISHED) + " -j RETURN");
    out.add(
        "-m conntrack --ctstate ESTABLISHED --ctdir REPLY" + comment(ESTABLISHED) + " -j RETURN");
    if (!p.isolated()) {
      out.add(comment(DEFAULT_ALLOW).strip() + " -j RETURN");
      return out;
    }
    String dir = d == Direction.INGRESS ? "src" : "dst";
    IpFamily ipf = family == Family.V4 ? IpFamily.V4 : IpFamily.V6;
    Map<String, Group> groups = new LinkedHashMap<>();
    for (Rule r : p.rules()) {
      String ports =
          r.allowsAllPorts()
              ? "*"
              : r.ports().stream().map(PortRange::toString).sorted().toList().toString();
      groups
          .computeIfAbsent(r.origin() + "|" + ports, k -> new Group(r, new ArrayList<>()))
          .peers()
          .addAll(r.peers());
    }
    for (Group g : groups.values()) {
      Rule r = g.first();
      List<IpSet.Member> members = new ArrayList<>(PeerSets.members(g.peers(), ipf));
      if (members.isEmpty()) {
        continue;
      }
      members.sort(MEMBER_ORDER);
      String set = Names.peerSet(names.prefix(), family, members);
      sets.put(set, new IpSet(set, family, members));
      String match = "-m set --match-set " + set + " " + dir;
      String why = comment(RULE + origin(r.origin()));
      if (r.allowsAllPorts()) {
        out.add(match + why + " -j RETURN");
        continue;
      }
      for (PortRange pr : r.ports()) {
        String proto = pr.protocol().name().toLowerCase(Locale.ROOT);
        String ports =
            pr.isAllPorts()
                ? ""
                : " --dport "
                    + (pr.first() == pr.last() ? pr.first() : pr.first() + ":" + pr.last());
        out.add("-p " + proto + " " + match + ports + why + " -j RETURN");
      }
    }
    out.add(comment(p.rules().isEmpty() ? DEFAULT_DENY : NO_RULE).strip() + " -j DROP");
    return out;
  }

  private static final java.util.Comparator<IpSet.Member> MEMBER_ORDER =
      java.util.Comparator.comparing(IpSet.Member::cidr).thenComparing(IpSet.Member::nomatch);

  static String comment(String text) {
    return " -m comment --comment \"" + text + "\"";
  }

  /** A policy name as a comment can carry it (no quotes, no spaces). */
  static String origin(String origin) {
    return origin.isEmpty() ? "-" : origin.replaceAll("[^A-Za-z0-9./_:-]", "_");
  }
}
