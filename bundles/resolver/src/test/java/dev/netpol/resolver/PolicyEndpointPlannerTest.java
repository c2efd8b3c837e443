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
    return cluster(web, clients, nodes, null);
  }

  /** {@code extraNode}: one more selected pod, web-extra, there. */
  static ClusterSnapshot cluster(int web, int clients, int nodes, String extraNode) {
    List<Pod> pods = new ArrayList<>();
    if (extraNode != null) {
      pods.add(pod("x", "web-extra").labels("app=web").node(extraNode).ips("198.18.99.1").build());
    }
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
  void rulesAreChunkedWithOneGenerationAndEveryNodesLabelSelectionsPerNode() {
    List<PolicyEndpoint> all = plan(new PolicyEndpointPlanner(100, 0), cluster(2500, 250, 3));
    List<PolicyEndpoint> pes = all.stream().filter(p -> !ChunkSet.isSelection(p)).toList();
    List<PolicyEndpoint> selections = all.stream().filter(ChunkSet::isSelection).toList();
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
    assertTrue(pes.stream().allMatch(p -> p.getSpec().getPodSelectorEndpoints().isEmpty()));
    assertEquals(
        List.of(100, 100, 50), pes.stream().map(p -> p.getSpec().getIngress().size()).toList());

    // one selection per node: its pods, its label only
    assertEquals(3, selections.size());
    for (PolicyEndpoint s : selections) {
      String node = s.getSpec().getNode();
      assertEquals(PolicyEndpointPlanner.selectionName("big", node), s.getMetadata().getName());
      assertEquals(Set.of(NodeLabels.keyFor(node)), s.getMetadata().getLabels().keySet());
      assertTrue(
          s.getSpec().getPodSelectorEndpoints().stream()
              .allMatch(p -> node.equals(p.getNodeName())));
      assertTrue(s.getSpec().getIngress().isEmpty() && s.getSpec().getEgress().isEmpty());
      assertEquals(null, s.getSpec().getChunk());
    }
    assertEquals(
        2500,
        selections.stream().mapToInt(s -> s.getSpec().getPodSelectorEndpoints().size()).sum());
    assertEquals(6, ChunkSet.complete(all).orElseThrow().size());
  }

  @Test
  void aSelectedPodThatComesChangesOnlyItsNodesSelection() {
    PolicyEndpointPlanner planner = new PolicyEndpointPlanner(100, 0);
    List<PolicyEndpoint> existing = roundTrip(plan(planner, cluster(30, 10, 3)));
    PlannedChanges more = planner.diff(plan(planner, cluster(30, 10, 3, "node-0")), existing);
    assertEquals(
        List.of(PolicyEndpointPlanner.selectionName("big", "node-0")),
        more.update().stream().map(p -> p.getMetadata().getName()).toList(),
        more.toString());
    assertTrue(more.create().isEmpty() && more.delete().isEmpty(), more.toString());
    // on a node with none of its pods yet: a new selection, and the rules chunk gains the label
    PlannedChanges newNode = planner.diff(plan(planner, cluster(30, 10, 3, "node-3")), existing);
    assertEquals(
        List.of(PolicyEndpointPlanner.selectionName("big", "node-3")),
        newNode.create().stream().map(p -> p.getMetadata().getName()).toList());
    assertTrue(newNode.update().stream().anyMatch(p -> p.getMetadata().getName().equals("big-0")));
  }

  /** Up to the threshold the selected pods ride in the rules chunks, covered by the generation. */
  @Test
  void fewSelectedPodsStayInTheRulesChunks() {
    PolicyEndpointPlanner planner = new PolicyEndpointPlanner(100, 50);
    List<PolicyEndpoint> small = plan(planner, cluster(50, 10, 3));
    assertEquals(1, small.size());
    assertEquals(50, small.get(0).getSpec().getPodSelectorEndpoints().size());
    assertEquals(3, small.get(0).getMetadata().getLabels().size());
    List<PolicyEndpoint> existing = roundTrip(small);
    // one more: over the threshold, selections per node are created, the chunk loses its pods
    PlannedChanges split = planner.diff(plan(planner, cluster(51, 10, 3)), existing);
    assertEquals(3, split.create().size(), split.toString());
    assertTrue(split.create().stream().allMatch(ChunkSet::isSelection));
    assertEquals(
        List.of("big-0"), split.update().stream().map(p -> p.getMetadata().getName()).toList());
    assertTrue(split.update().get(0).getSpec().getPodSelectorEndpoints().isEmpty());
  }

  @Test
  void emptyResultStillHasOneRulesChunk() {
    List<PolicyEndpoint> pes = plan(new PolicyEndpointPlanner(), cluster(0, 0, 1));
    assertEquals(1, pes.size());
    assertEquals("big-0", pes.get(0).getMetadata().getName());
    assertTrue(pes.get(0).getMetadata().getLabels().isEmpty());
  }

  @Test
  void replanningIsIdempotentAndChangesTouchOnlyWhatChanged() {
    PolicyEndpointPlanner planner = new PolicyEndpointPlanner(100, 0);
    List<PolicyEndpoint> first = plan(planner, cluster(10, 250, 2));
    List<PolicyEndpoint> existing = roundTrip(first);
    PlannedChanges again = planner.diff(plan(planner, cluster(10, 250, 2)), existing);
    assertTrue(again.isEmpty(), again.toString());
    assertEquals(5, again.unchanged().size()); // 3 rules chunks, 2 selections

    // one more client (a peer): the rules generation changes, so every rules chunk is rewritten
    // (agents need one generation); the selections stay
    PlannedChanges grown = planner.diff(plan(planner, cluster(10, 251, 2)), existing);
    assertEquals(
        List.of("big-0", "big-1", "big-2"),
        grown.update().stream().map(p -> p.getMetadata().getName()).toList(),
        grown.toString());
    assertEquals("7", grown.update().get(0).getMetadata().getResourceVersion());

    // fewer peers: chunk 2 goes away
    PlannedChanges shrunk = planner.diff(plan(planner, cluster(10, 150, 2)), existing);
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
