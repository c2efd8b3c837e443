package dev.netpol.agent.internal;

import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.PodKey;
import dev.netpol.policyendpoint.Chunk;
import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.PodSelectorEndpoint;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointSpec;
import dev.netpol.policyendpoint.PolicyRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The chunk-set logic: the last complete set stays until a newer one is complete. */
class PolicyIndexTest {
  static final String NODE = "n1";
  static final PodKey A = new PodKey("x", "a");
  static final PodKey B = new PodKey("x", "b");
  static final PodKey OTHER_NS = new PodKey("y", "c");
  private static int rv;

  /** Chunk {@code index} of {@code count} of policy x/{@code policy}, generation {@code gen}. */
  static PolicyEndpoint chunk(
      String policy, int index, int count, String gen, List<String> ingressCidrs, PodKey... pods) {
    PolicyEndpoint pe = new PolicyEndpoint();
    pe.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("x")
            .withName(policy + "-" + index)
            .withResourceVersion(String.valueOf(++rv))
            .build());
    PolicyEndpointSpec s = new PolicyEndpointSpec();
    s.setPolicyRef(new PolicyRef("x", policy, "uid-" + policy));
    s.setChunk(new Chunk(index, count, gen));
    s.setPodIsolation(List.of(PolicyEndpointSpec.INGRESS));
    for (PodKey p : pods) {
      s.getPodSelectorEndpoints()
          .add(new PodSelectorEndpoint(p.namespace(), p.name(), NODE, List.of("198.18.0.1")));
    }
    List<EndpointEntry> in = new ArrayList<>();
    for (String c : ingressCidrs) {
      in.add(new EndpointEntry(c, null, null, null));
    }
    s.setIngress(in);
    pe.setSpec(s);
    return pe;
  }

  static String generationOf(PolicyIndex idx, PodKey pod) {
    List<PolicySet> sets = idx.policiesOf(pod);
    assertTrue(sets.size() <= 1, sets.toString());
    return sets.isEmpty() ? null : sets.get(0).generation();
  }

  @Test
  void aTwoChunkUpdateWrittenOneChunkAtATimeKeepsTheOldSetUntilTheNewOneIsComplete() {
    PolicyIndex idx = new PolicyIndex(NODE);
    idx.put(chunk("p", 0, 2, "g1", List.of("198.18.1.1/32"), A));
    assertNull(generationOf(idx, A), "half a policy is no policy yet");
    PolicyIndex.Changes c = idx.put(chunk("p", 1, 2, "g1", List.of("198.18.1.2/32")));
    assertEquals(Set.of(A), c.pods());
    assertEquals("g1", generationOf(idx, A));
    assertEquals(2, idx.policiesOf(A).get(0).ingress().size());

    // the controller rewrites chunk 0, then chunk 1: between the two, g1 still enforces
    c = idx.put(chunk("p", 0, 2, "g2", List.of("198.18.2.1/32"), A));
    assertTrue(c.pods().isEmpty(), "nothing changes for any pod while the set is mixed");
    assertEquals("g1", generationOf(idx, A));
    assertEquals(
        "198.18.1.1/32",
        idx.policiesOf(A).get(0).ingress().get(0).rule().peers().get(0).cidr().toString(),
        "the old rules, not the new chunk 0's");
    assertTrue(idx.holdIn("x").isEmpty(), "a known version is enforced: nothing waits");
    c = idx.put(chunk("p", 1, 2, "g2", List.of("198.18.2.2/32")));
    assertEquals(Set.of(A), c.pods());
    assertEquals("g2", generationOf(idx, A));
  }

  @Test
  void chunkCountsGrowAndShrink() {
    PolicyIndex idx = new PolicyIndex(NODE);
    idx.put(chunk("p", 0, 1, "g1", List.of("198.18.1.1/32"), A));
    assertEquals("g1", generationOf(idx, A));
    // grows to 2: chunk 0 of g2 replaces g1's only chunk; g1 is kept until g2 is complete
    idx.put(chunk("p", 0, 2, "g2", List.of("198.18.2.1/32"), A));
    assertEquals("g1", generationOf(idx, A));
    idx.put(chunk("p", 1, 2, "g2", List.of(), B));
    assertEquals("g2", generationOf(idx, A));
    assertEquals("g2", generationOf(idx, B));
    // shrinks to 1: the new chunk 0 is complete on its own, the stale chunk 1 is ignored
    PolicyIndex.Changes c = idx.put(chunk("p", 0, 1, "g3", List.of("198.18.3.1/32"), A));
    assertEquals("g3", generationOf(idx, A));
    assertNull(generationOf(idx, B), "b is not selected by g3");
    assertEquals(Set.of(A, B), c.pods());
    // the stale chunk's delete changes nothing
    c = idx.remove(chunk("p", 1, 2, "g2", List.of(), B));
    assertTrue(c.isEmpty(), c.toString());
    assertEquals("g3", generationOf(idx, A));
    assertEquals(1, idx.heldCount());
  }

  @Test
  void aPolicyIsForgottenOnlyWhenNoneOfItsChunksIsHeld() {
    PolicyIndex idx = new PolicyIndex(NODE);
    PolicyEndpoint c0 = chunk("p", 0, 2, "g1", List.of(), A);
    PolicyEndpoint c1 = chunk("p", 1, 2, "g1", List.of());
    idx.put(c0);
    idx.put(c1);
    // deleted (or this node's label removed) one chunk at a time
    PolicyIndex.Changes c = idx.remove(c0);
    assertTrue(c.pods().isEmpty());
    assertEquals("g1", generationOf(idx, A), "still enforced while a chunk is held");
    assertTrue(idx.holdIn("x").isEmpty());
    c = idx.remove(c1);
    assertEquals(Set.of(A), c.pods());
    assertNull(generationOf(idx, A));
    assertEquals(0, idx.heldCount());
    assertTrue(idx.policies().isEmpty());
  }

  @Test
  void aMixedSetAtStartHoldsTheNamespaceUntilAVersionIsComplete() {
    // an agent restarted while the controller was half-way: chunk 0 is g2, chunk 1 still g1
    PolicyIndex idx = new PolicyIndex(NODE);
    PolicyIndex.Changes c = idx.put(chunk("p", 0, 2, "g2", List.of(), A));
    assertEquals(Set.of("x"), c.namespaces());
    c = idx.put(chunk("p", 1, 2, "g1", List.of()));
    assertTrue(c.isEmpty());
    assertNull(generationOf(idx, A));
    assertTrue(idx.holdIn("x").orElseThrow().contains("x/p"), idx.holdIn("x").toString());
    assertTrue(idx.holdIn("y").isEmpty(), "other namespaces are not held");
    c = idx.put(chunk("p", 1, 2, "g2", List.of()));
    assertEquals(Set.of(A), c.pods());
    assertEquals(Set.of("x"), c.namespaces(), "the hold is lifted: re-mark the namespace");
    assertTrue(idx.holdIn("x").isEmpty());
  }

  @Test
  void onlyThisNodesPodsAreIndexedAndPoliciesAreOrdered() {
    PolicyIndex idx = new PolicyIndex(NODE);
    PolicyEndpoint pe = chunk("q", 0, 1, "g1", List.of(), A);
    pe.getSpec()
        .getPodSelectorEndpoints()
        .add(new PodSelectorEndpoint("x", "far", "n2", List.of("198.18.0.9")));
    idx.put(pe);
    idx.put(chunk("p", 0, 1, "g1", List.of(), A));
    assertEquals(
        List.of("x/p", "x/q"), idx.policiesOf(A).stream().map(s -> s.id().toString()).toList());
    assertTrue(idx.policiesOf(new PodKey("x", "far")).isEmpty(), "another node's pod");
    assertTrue(idx.policiesOf(OTHER_NS).isEmpty());
  }

  @Test
  void aStatusOnlyUpdateOfTheSameGenerationChangesNothing() {
    PolicyIndex idx = new PolicyIndex(NODE);
    PolicyEndpoint before = chunk("p", 0, 1, "g1", List.of(), A);
    idx.put(before);
    PolicySet set = idx.policiesOf(A).get(0);
    PolicyEndpoint after = chunk("p", 0, 1, "g1", List.of(), A);
    PolicyIndex.Changes c = idx.replace(before, after);
    assertTrue(c.isEmpty());
    assertSame(set, idx.policiesOf(A).get(0), "parsed once per generation");
    assertEquals(
        after.getMetadata().getResourceVersion(), idx.heldVersions().get("x/p-0"), "held view");
  }
}
