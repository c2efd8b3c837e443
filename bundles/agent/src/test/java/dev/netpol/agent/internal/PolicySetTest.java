package dev.netpol.agent.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.model.Rule;
import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.EndpointPort;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicySetTest {
  private static EndpointEntry entry(String cidr, int port) {
    return new EndpointEntry(cidr, null, List.of(new EndpointPort("TCP", port, null)), null);
  }

  private static Rule only(PolicySet s) {
    assertEquals(1, s.ingress().size());
    return s.ingress().get(0).rule();
  }

  @Test
  void rulesOfDifferentPoliciesShareTheirPeersAndPortsButKeepTheirOrigin() {
    PolicySet a =
        DesiredStateCompilerTest.set(
            DesiredStateCompilerTest.pe(
                "a", List.of("Ingress"), List.of(entry("198.18.30.7/32", 80)), List.of(), "web"));
    PolicySet b =
        DesiredStateCompilerTest.set(
            DesiredStateCompilerTest.pe(
                "b", List.of("Ingress"), List.of(entry("198.18.30.7/32", 80)), List.of(), "web"));
    PolicySet c =
        DesiredStateCompilerTest.set(
            DesiredStateCompilerTest.pe(
                "c", List.of("Ingress"), List.of(entry("198.18.30.8/32", 81)), List.of(), "web"));
    assertSame(only(a).peers().get(0), only(b).peers().get(0));
    assertSame(only(a).ports(), only(b).ports());
    assertEquals("x/a", only(a).origin());
    assertEquals("x/b", only(b).origin());
    assertNotEquals(only(a).peers(), only(c).peers());
    assertNotEquals(only(a).ports(), only(c).ports());
    assertEquals(81, only(c).ports().get(0).first());
  }
}
