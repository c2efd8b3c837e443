package dev.netpol.console.internal.pages;

import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReachabilityTest {
  static InetAddress ip(String s) {
    return Cidr.parseAddress(s, "t", s);
  }

  static final Rule WEB_FROM_CLIENT =
      new Rule(
          List.of(Peer.of(Cidr.parse("198.18.0.2/32"))),
          List.of(PortRange.single(Protocol.TCP, 80)),
          "demo/web-from-client");
  static final Rule NODE = new Rule(List.of(Peer.of(Cidr.parse("10.0.0.1/32"))), List.of(), "node");

  static Reachability.End client(PodPolicy p) {
    return new Reachability.End(
        "demo/client",
        List.of(ip("198.18.0.2"), ip("fd00:198:18::2")),
        true,
        Optional.of(p),
        List.of());
  }

  static Reachability.End web(PodPolicy p) {
    return new Reachability.End(
        "demo/web",
        List.of(ip("198.18.0.3")),
        true,
        Optional.of(p),
        List.of("demo/default-deny", "demo/web-from-client"));
  }

  static final PodPolicy WEB =
      new PodPolicy(
          new DirectionPolicy(true, List.of(WEB_FROM_CLIENT, NODE)), DirectionPolicy.ALLOW_ALL);

  @Test
  void anAllowedFlowNamesThePolicyAndRuleOfEachSide() {
    List<Reachability.Answer> a =
        Reachability.check(client(PodPolicy.ALLOW_ALL), web(WEB), Protocol.TCP, 80);
    assertEquals(1, a.size(), "only IPv4 is common to both ends");
    assertEquals(Reachability.Outcome.ALLOWED, a.get(0).outcome());
    Reachability.Step egress = a.get(0).steps().get(0);
    Reachability.Step ingress = a.get(0).steps().get(1);
    assertEquals(Reachability.Outcome.ALLOWED, egress.outcome());
    assertTrue(egress.reason().contains("not isolated"), egress.reason());
    assertEquals("demo/web-from-client", ingress.policy());
    assertEquals(0, ingress.rule());
    assertTrue(ingress.reason().contains("rule #1"), ingress.reason());
  }

  @Test
  void aDeniedFlowSaysWhatIsolatesAndWhichRuleNearlyMatched() {
    Reachability.Answer a =
        Reachability.check(client(PodPolicy.ALLOW_ALL), web(WEB), Protocol.TCP, 81).get(0);
    assertEquals(Reachability.Outcome.DENIED, a.outcome());
    Reachability.Step ingress = a.steps().get(1);
    assertEquals(Reachability.Outcome.DENIED, ingress.outcome());
    assertTrue(ingress.reason().contains("demo/default-deny"), ingress.reason());
    assertTrue(
        ingress
            .reason()
            .contains("rule #1 (policy demo/web-from-client) admits the address on TCP/80 only"),
        ingress.reason());
    assertEquals(
        Reachability.Outcome.DENIED,
        Reachability.check(client(PodPolicy.ALLOW_ALL), web(WEB), Protocol.UDP, 80)
            .get(0)
            .outcome(),
        "the rule is for TCP");
  }

  @Test
  void theSourcesEgressDecidesToo() {
    PodPolicy clientDenied = new PodPolicy(DirectionPolicy.ALLOW_ALL, DirectionPolicy.DENY_ALL);
    Reachability.Answer a =
        Reachability.check(client(clientDenied), web(WEB), Protocol.TCP, 80).get(0);
    assertEquals(Reachability.Outcome.DENIED, a.outcome());
    assertEquals(Reachability.Outcome.DENIED, a.steps().get(0).outcome());
    assertEquals(Reachability.Outcome.ALLOWED, a.steps().get(1).outcome());
  }

  @Test
  void anEndOfAnotherNodeIsUnknownButADenialHereStillDenies() {
    Reachability.End remote =
        new Reachability.End(
            "198.18.9.9", List.of(ip("198.18.9.9")), false, Optional.empty(), List.of());
    Reachability.Answer toWeb = Reachability.check(remote, web(WEB), Protocol.TCP, 80).get(0);
    assertEquals(Reachability.Outcome.DENIED, toWeb.outcome(), "web admits only the client");
    assertEquals(Reachability.Outcome.UNKNOWN, toWeb.steps().get(0).outcome());
    Reachability.Answer fromWeb = Reachability.check(web(WEB), remote, Protocol.TCP, 443).get(0);
    assertEquals(Reachability.Outcome.UNKNOWN, fromWeb.outcome());
    assertTrue(fromWeb.steps().get(1).reason().contains("not a pod of this node"));
    Reachability.End pending =
        new Reachability.End(
            "demo/new", List.of(ip("198.18.0.7")), true, Optional.empty(), List.of());
    assertTrue(
        Reachability.check(pending, web(WEB), Protocol.TCP, 80)
            .get(0)
            .steps()
            .get(0)
            .reason()
            .contains("no programmed state"));
  }

  @Test
  void theNodesOwnAddressesAreNamedAsSuch() {
    Reachability.End node =
        new Reachability.End(
            "10.0.0.1", List.of(ip("10.0.0.1")), false, Optional.empty(), List.of());
    Reachability.Step s =
        Reachability.check(node, web(WEB), Protocol.TCP, 8080).get(0).steps().get(1);
    assertEquals(Reachability.Outcome.ALLOWED, s.outcome());
    assertTrue(s.reason().contains("the node's own addresses"), s.reason());
  }
}
