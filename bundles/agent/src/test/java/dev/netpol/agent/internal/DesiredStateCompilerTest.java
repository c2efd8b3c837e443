package dev.netpol.agent.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.policyendpoint.Chunk;
import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.EndpointPort;
import dev.netpol.policyendpoint.PodSelectorEndpoint;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointSpec;
import dev.netpol.policyendpoint.PolicyRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DesiredStateCompilerTest {
  static final PodKey SERVER = new PodKey("x", "a");
  static final Set<InetAddress> NODE = Set.of(addr("10.0.0.5"));

  static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static PolicyEndpoint pe(
      String policy,
      List<String> isolation,
      List<EndpointEntry> ingress,
      List<EndpointEntry> egress,
      String... pods) {
    PolicyEndpoint pe = new PolicyEndpoint();
    pe.setMetadata(new ObjectMetaBuilder().withNamespace("x").withName(policy + "-0").build());
    PolicyEndpointSpec s = new PolicyEndpointSpec();
    PolicyRef ref = new PolicyRef();
    ref.setNamespace("x");
    ref.setName(policy);
    s.setPolicyRef(ref);
    s.setChunk(new Chunk(0, 1, "g1"));
    s.setPodIsolation(isolation);
    for (String p : pods) {
      s.getPodSelectorEndpoints()
          .add(new PodSelectorEndpoint("x", p, "n1", List.of("198.18.30.2")));
    }
    s.setIngress(ingress);
    s.setEgress(egress);
    pe.setSpec(s);
    return pe;
  }

  static PolicySet set(PolicyEndpoint... chunks) {
    return PolicySet.of(PolicySet.PolicyId.of(chunks[0]), List.of(chunks), "n1");
  }

  @Test
  void unselectedPodFollowsTheMode() {
    assertEquals(
        PodPolicy.ALLOW_ALL,
        DesiredStateCompiler.compile(SERVER, List.of(), NODE, AgentSettings.Mode.STANDARD));
    PodPolicy strict =
        DesiredStateCompiler.compile(SERVER, List.of(), NODE, AgentSettings.Mode.STRICT);
    assertTrue(strict.ingress().isolated() && strict.egress().isolated());
    assertTrue(strict.ingress().allows(addr("10.0.0.5"), 6, 10250), "node address stays allowed");
    assertFalse(strict.ingress().allows(addr("198.18.30.9"), 6, 80));
  }

  @Test
  void policiesUnionPerDirectionAndTheNodeIsAlwaysAllowed() {
    EndpointEntry fromB =
        new EndpointEntry("198.18.30.3/32", null, List.of(new EndpointPort("TCP", 80, null)), null);
    EndpointEntry wide =
        new EndpointEntry(
            "198.18.0.0/16",
            List.of("198.18.30.0/24"),
            List.of(new EndpointPort("UDP", 5000, 5010)),
            null);
    PolicyEndpoint p1 = pe("p1", List.of("Ingress"), List.of(fromB), List.of(), "a");
    PolicyEndpoint p2 = pe("p2", List.of("Ingress"), List.of(wide), List.of(), "a");
    PodPolicy p =
        DesiredStateCompiler.compile(
            SERVER, List.of(set(p1), set(p2)), NODE, AgentSettings.Mode.STANDARD);
    assertTrue(p.ingress().isolated());
    assertFalse(p.egress().isolated());
    assertTrue(p.ingress().allows(addr("198.18.30.3"), 6, 80));
    assertFalse(p.ingress().allows(addr("198.18.30.3"), 6, 81));
    assertTrue(p.ingress().allows(addr("198.18.7.1"), 17, 5005));
    assertFalse(p.ingress().allows(addr("198.18.30.7"), 17, 5005), "except of p2 applies");
    assertTrue(p.ingress().allows(addr("10.0.0.5"), 6, 10250));
  }

  @Test
  void targetedEntriesApplyOnlyToTheirPods() {
    EndpointEntry onlyForB =
        new EndpointEntry(
            "0.0.0.0/0", null, List.of(new EndpointPort("TCP", 8080, null)), List.of("b"));
    PolicyEndpoint pe = pe("p", List.of("Ingress"), List.of(onlyForB), List.of(), "a", "b");
    PodPolicy a =
        DesiredStateCompiler.compile(
            SERVER, List.of(set(pe)), Set.of(), AgentSettings.Mode.STANDARD);
    PodPolicy b =
        DesiredStateCompiler.compile(
            new PodKey("x", "b"), List.of(set(pe)), Set.of(), AgentSettings.Mode.STANDARD);
    assertFalse(a.ingress().allows(addr("1.2.3.4"), 6, 8080));
    assertTrue(b.ingress().allows(addr("1.2.3.4"), 6, 8080));
  }

  @Test
  void aBadEntryIsSkippedNotFatal() {
    EndpointEntry bad = new EndpointEntry("198.18.0.0/99", null, null, null);
    EndpointEntry good = new EndpointEntry("198.18.30.3/32", null, null, null);
    PolicyEndpoint pe = pe("p", List.of("Egress"), List.of(), List.of(bad, good), "a");
    PodPolicy p =
        DesiredStateCompiler.compile(
            SERVER, List.of(set(pe)), Set.of(), AgentSettings.Mode.STANDARD);
    assertTrue(p.egress().allows(addr("198.18.30.3"), 1, 0));
    assertEquals(1, p.egress().rules().size());
  }
}
