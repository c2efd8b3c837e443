package dev.netpol.resolver;

import static dev.netpol.resolver.Fixtures.ns;
import static dev.netpol.resolver.Fixtures.pod;
import static dev.netpol.resolver.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.policyendpoint.ChunkSet;
import dev.netpol.policyendpoint.NodeLabels;
import dev.netpol.policyendpoint.PolicyEndpoint;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyEndpointPlannerTest {
  static final String POLICY =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
          + "metadata: {namespace: x, name: big, uid: u-1}\n"
          + "spec: {podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]}";

  static ClusterSnapshot cluster(int web, int clients, int nodes) {
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < web; i++) {
      pods.add(
          pod("x", "web-" + i)
              .labels("app=web")
              .node("node-" + (i % nodes))
              .ips("198.18." + (i / 250) + "." + (i % 250 + 1))
              .build());
    }
    for (int i = 0; i < clients; i++) {
      pods.add(
          pod("x", "client-" + i)
              .labels("app=client")
              .node("node-0")
              .ips("198.19." + (i / 250) + "." + (i % 250 + 1))
              .build());
    }
    return ClusterSnapshot.of(List.of(ns("x")), pods, List.of());
  }

  static List<PolicyEndpoint> plan(PolicyEndpointPlanner planner, ClusterSnapshot state) {
    return planner.plan((ResolvedPolicy) new PolicyResolver().resolve(state, policy(POLICY)));
  }

  @Test
  void largeListsAreChunkedWithOneGenerationAndLabelsOnEveryChunk() {
    List<PolicyEndpoint> pes = plan(new PolicyEndpointPlanner(1000), cluster(2500, 300, 3));
    assertEquals(3, pes.size());
    Set<String> generations = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      PolicyEndpoint pe = pes.get(i);
      assertEquals("big-" + i, pe.getMetadata().getName());
      assertEquals("x", pe.getMetadata().getNamespace());
      assertEquals(i, pe.getSpec().getChunk().getIndex());
      assertEquals(3, pe.getSpec().getChunk().getCount());
      generations.add(pe.getSpec().getChunk().getGeneration());
      assertEquals(
          Set.of(
              NodeLabels.keyFor("node-0"),
              NodeLabels.keyFor("node-1"),
              NodeLabels.keyFor("node-2")),
          pe.getMetadata().getLabels().keySet());
      var owner = pe.getMetadata().getOwnerReferences().get(0);
      assertEquals("NetworkPolicy", owner.getKind());
      assertEquals("u-1", owner.getUid());
      assertTrue(owner.getController());
      assertEquals(List.of("Ingress"), pe.getSpec().getPodIsolation());
    }
    assertEquals(1, generations.size());
    assertEquals(
        List.of(1000, 1000, 500),
        pes.stream().map(p -> p.getSpec().getPodSelectorEndpoints().size()).toList());
    assertEquals(
        List.of(300, 0, 0), pes.stream().map(p -> p.getSpec().getIngress().size()).toList());
    assertEquals(3, ChunkSet.complete(pes).orElseThrow().size());
  }

  @Test
  void emptyResultStillHasOneChunk() {
    List<PolicyEndpoint> pes = plan(new PolicyEndpointPlanner(), cluster(0, 0, 1));
    assertEquals(1, pes.size());
    assertEquals("big-0", pes.get(0).getMetadata().getName());
    assertTrue(pes.get(0).getMetadata().getLabels().isEmpty());
  }

  @Test
  void replanningIsIdempotentAndChangesTouchOnlyWhatChanged() {
    PolicyEndpointPlanner planner = new PolicyEndpointPlanner(100);
    List<PolicyEndpoint> first = plan(planner, cluster(250, 10, 2));
    List<PolicyEndpoint> existing = roundTrip(first);
    PlannedChanges again = planner.diff(plan(planner, cluster(250, 10, 2)), existing);
    assertTrue(again.isEmpty(), again.toString());
    assertEquals(3, again.unchanged().size());

    // one more client: generation changes, so every chunk is rewritten (agents need one generation)
    PlannedChanges grown = planner.diff(plan(planner, cluster(250, 11, 2)), existing);
    assertEquals(3, grown.update().size(), grown.toString());
    assertEquals("7", grown.update().get(0).getMetadata().getResourceVersion());

    // fewer selected pods: chunk 2 goes away
    PlannedChanges shrunk = planner.diff(plan(planner, cluster(150, 10, 2)), existing);
    assertEquals(
        List.of("big-2"), shrunk.delete().stream().map(p -> p.getMetadata().getName()).toList());
    assertFalse(shrunk.update().isEmpty());
  }

  @Test
  void longPolicyNamesGiveValidDistinctChunkNames() {
    String a = "p".repeat(252);
    String b = "p".repeat(251) + "q";
    assertEquals("short-3", PolicyEndpointPlanner.chunkName("short", 3));
    String na = PolicyEndpointPlanner.chunkName(a, 12);
    assertTrue(na.length() <= 253, na);
    assertTrue(na.endsWith("-12"), na);
    assertFalse(na.equals(PolicyEndpointPlanner.chunkName(b, 12)));
    assertEquals(na, PolicyEndpointPlanner.chunkName(a, 12));
  }

  static List<PolicyEndpoint> roundTrip(List<PolicyEndpoint> pes) {
    List<PolicyEndpoint> out = new ArrayList<>();
    for (PolicyEndpoint pe : pes) {
      PolicyEndpoint copy = Serialization.unmarshal(Serialization.asJson(pe), PolicyEndpoint.class);
      copy.getMetadata().setResourceVersion("7");
      out.add(copy);
    }
    return out;
  }
}
