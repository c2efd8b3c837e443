package dev.netpol.backend.iptables.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.Direction;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import dev.netpol.netfilter.Family;
import dev.netpol.netfilter.Netfilter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a pod's rules become iptables rules and content-named peer sets (no kernel). */
class PodRulesTest {
  private static final Names A = Names.of("NPIPTLONG10", new PodKey("x", "a"));
  private static final Names B = Names.of("NPIPTLONG10", new PodKey("y", "b"));

  /** N ipBlock rules of one policy, one /32 each, over {@code ports} distinct TCP ports. */
  static PodPolicy ipBlocks(int n, int ports, String origin) {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rules.add(
          new Rule(
              List.of(
                  Peer.of(
                      Cidr.parse(
                          "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + "/32"))),
              List.of(PortRange.single(Protocol.TCP, 1000 + i % ports)),
              origin));
    }
    return new PodPolicy(new DirectionPolicy(true, rules), DirectionPolicy.ALLOW_ALL);
  }

  @Test
  void rulesWithTheSamePortsAndPolicyShareOneSetAndOneRulePerPort() {
    PodRules.Rendered r = PodRules.render(A, ipBlocks(5000, 10, "ns/p"), Family.V4);
    assertEquals(10, r.sets().size(), "one set per port");
    r.sets().values().forEach(s -> assertEquals(500, s.members().size()));
    List<String> ingress = r.chains().get(0).rules();
    long allowing = ingress.stream().filter(x -> x.contains("--match-set")).count();
    assertEquals(10, allowing, "one iptables rule per group and port range");
    assertTrue(ingress.get(ingress.size() - 1).contains("no-rule"), ingress.toString());
    assertTrue(
        ingress.stream()
            .filter(x -> x.contains("--match-set"))
            .allMatch(x -> x.contains("rule=ns/p")));
    r.sets().keySet().forEach(n -> assertTrue(n.length() <= Netfilter.MAX_SET_NAME, n));
    assertEquals(
        List.of(),
        PodRules.render(A, ipBlocks(5000, 10, "ns/p"), Family.V6).sets().values().stream().toList(),
        "no IPv6 peer: no IPv6 set");
  }

  @Test
  void equalPeersGetOneNameAcrossPodsAndADifferentPolicyKeepsItsOwnRule() {
    PodPolicy p = ipBlocks(3, 1, "ns/p");
    assertEquals(
        PodRules.render(A, p, Family.V4).sets().keySet(),
        PodRules.render(B, p, Family.V4).sets().keySet(),
        "content-addressed: the same members, the same set on the node");
    // the same peers in another order: the same set
    List<Rule> reversed = new ArrayList<>(p.ingress().rules());
    java.util.Collections.reverse(reversed);
    assertEquals(
        PodRules.render(A, p, Family.V4).sets().keySet(),
        PodRules.render(
                A,
                new PodPolicy(new DirectionPolicy(true, reversed), DirectionPolicy.ALLOW_ALL),
                Family.V4)
            .sets()
            .keySet());
    // one peer more: another name
    assertNotEquals(
        PodRules.render(A, p, Family.V4).sets().keySet(),
        PodRules.render(A, ipBlocks(4, 1, "ns/p"), Family.V4).sets().keySet());
    // two policies with the same ports: two rules, counters per policy
    List<Rule> two = new ArrayList<>(p.ingress().rules());
    two.add(
        new Rule(
            List.of(Peer.of(Cidr.parse("10.9.0.0/16"))),
            List.of(PortRange.single(Protocol.TCP, 1000)),
            "ns/q"));
    PodRules.Rendered r =
        PodRules.render(
            A, new PodPolicy(new DirectionPolicy(true, two), DirectionPolicy.ALLOW_ALL), Family.V4);
    assertEquals(2, r.sets().size());
    assertTrue(r.chains().get(0).rules().stream().anyMatch(x -> x.contains("rule=ns/q")));
    assertEquals(A.podChain(Direction.INGRESS), r.chains().get(0).name());
  }

  @Test
  void anExceptStaysWithItsOwnPeerWhenRulesAreGrouped() {
    // rule 1: 10.0.0.0/8 except 10.1.0.0/16; rule 2 (same port, same policy): 10.1.2.0/24
    List<Rule> rules =
        List.of(
            new Rule(
                List.of(new Peer(Cidr.parse("10.0.0.0/8"), List.of(Cidr.parse("10.1.0.0/16")))),
                List.of(PortRange.single(Protocol.TCP, 80)),
                "ns/p"),
            new Rule(
                List.of(Peer.of(Cidr.parse("10.1.2.0/24"))),
                List.of(PortRange.single(Protocol.TCP, 80)),
                "ns/p"));
    var sets =
        PodRules.render(
                A,
                new PodPolicy(new DirectionPolicy(true, rules), DirectionPolicy.ALLOW_ALL),
                Family.V4)
            .sets();
    assertEquals(1, sets.size());
    assertEquals(
        List.of("10.0.0.0/8", "10.1.0.0/16 nomatch", "10.1.2.0/24"),
        sets.values().iterator().next().members().stream().map(Object::toString).toList(),
        "10.1.2.0/24 is allowed by rule 2 although rule 1 carves 10.1.0.0/16 out");
  }
}
