package dev.netpol.agent.internal;

import static dev.netpol.agent.internal.PolicyIndexTest.chunk;
import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.PodKey;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.status.PodStatus;
import dev.netpol.policyendpoint.PolicyEndpoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodReconcilerTest {
  static final PodKey A = PolicyIndexTest.A;
  static final PodKey B = PolicyIndexTest.B;
  static final PodKey C = new PodKey("y", "c");

  private static AgentFixture withEbpf() {
    AgentFixture f = new AgentFixture();
    f.register(f.backend("ebpf"));
    f.switcher.ensure();
    return f;
  }

  private static FakeBackend active(AgentFixture f) {
    return (FakeBackend) f.switcher.active();
  }

  @Test
  void anIsolatedPodStaysIsolatedWhileItsPolicyIsRewrittenChunkByChunk() {
    AgentFixture f = withEbpf();
    f.addPod(A, "198.18.0.1");
    f.index.put(chunk("p", 0, 2, "g1", List.of("198.18.1.1/32"), A));
    f.index.put(chunk("p", 1, 2, "g1", List.of("198.18.1.2/32")));
    f.reconcileAll();
    String g1 = f.reconciler.programmed().get(A);
    assertNotNull(g1);
    for (int gen = 2; gen <= 20; gen++) {
      f.index.put(chunk("p", 0, 2, "g" + gen, List.of("198.18." + gen + ".1/32"), A));
      f.reconcileAll(); // between the two writes
      PodPolicy mid = lastApplied(f, A);
      assertTrue(mid.ingress().isolated(), "generation " + gen + ": a mixed set opened a");
      assertEquals(
          f.reconciler.programmed().get(A),
          active(f).programmed().get(A).policyDigest(),
          "the previous complete version stays in force");
      f.index.put(chunk("p", 1, 2, "g" + gen, List.of("198.18." + gen + ".2/32")));
      f.reconcileAll();
      assertTrue(lastApplied(f, A).ingress().allows(addr("198.18." + gen + ".1"), 6, 80));
    }
  }

  @Test
  void afterARestartWithAMixedSetPodsWithKernelStateKeepItUntilTheSetIsComplete() {
    // before the restart: x/a enforced with g1 in the backend
    AgentFixture before = withEbpf();
    FakeBackend ebpf = active(before);
    before.addPod(A, "198.18.0.1");
    before.index.put(chunk("p", 0, 2, "g1", List.of("198.18.1.1/32"), A));
    before.index.put(chunk("p", 1, 2, "g1", List.of()));
    before.reconcileAll();
    String g1 = ebpf.programmed().get(A).policyDigest();

    // the restarted agent's cache holds chunk 0 of g2 and chunk 1 of g1
    AgentFixture after = new AgentFixture();
    after.register(ebpf);
    after.switcher.ensure();
    after.addPod(A, "198.18.0.1");
    after.addPod(new PodKey("x", "new"), "198.18.0.3");
    after.addPod(C, "198.18.0.2");
    after.index.put(chunk("p", 0, 2, "g2", List.of("198.18.2.1/32"), A));
    after.index.put(chunk("p", 1, 2, "g1", List.of()));
    ebpf.log.clear();
    after.reconcileAll();
    assertFalse(ebpf.log.contains("ebpf apply x/a"), "x/a's kernel state is kept: " + ebpf.log);
    assertEquals(g1, ebpf.programmed().get(A).policyDigest());
    PodStatus s = after.reconciler.status(A).orElseThrow();
    assertEquals("pending", s.state());
    assertTrue(s.error().contains("x/p"), s.error());
    assertTrue(ebpf.log.contains("ebpf apply y/c"), "other namespaces go on: " + ebpf.log);
    assertTrue(ebpf.log.contains("ebpf apply x/new"), "a pod without state is programmed");

    after.index.put(chunk("p", 1, 2, "g2", List.of()));
    after.reconcileAll();
    assertNotEquals(g1, ebpf.programmed().get(A).policyDigest());
    assertEquals("programmed", after.reconciler.status(A).orElseThrow().state());
  }

  @Test
  void aPodOverCapacityKeepsItsStateOthersAreProgrammedAndTheStatusSaysWhy() {
    AgentFixture f = withEbpf();
    FakeBackend ebpf = active(f);
    f.addPod(A, "198.18.0.1");
    f.addPod(B, "198.18.0.2");
    f.index.put(chunk("p", 0, 1, "g1", List.of("198.18.1.1/32"), A, B));
    f.reconcileAll();
    String before = ebpf.programmed().get(A).policyDigest();
    ebpf.failOn = A;
    ebpf.capacity = true;
    f.index.put(chunk("p", 0, 1, "g2", List.of("198.18.2.1/32", "198.18.2.2/32"), A, B));
    f.reconcileAll();
    assertEquals(before, ebpf.programmed().get(A).policyDigest(), "a keeps its previous state");
    assertEquals(
        f.reconciler.programmed().get(B),
        ebpf.programmed().get(B).policyDigest(),
        "b got the new state");
    PodStatus s = f.reconciler.status(A).orElseThrow();
    assertEquals("failed", s.state());
    assertTrue(
        s.error().contains("ingress rules") && s.error().contains("capacity is 10"), s.error());
    assertEquals(List.of("x/p"), s.policies());
    assertTrue(f.reconciler.capacityFailures().containsKey(A));
    assertEquals(1, f.capacityChanges);
    assertEquals(1, f.reconciler.errors());

    f.reconcileAll(); // the same failure again: no new change reported
    assertEquals(1, f.capacityChanges);

    ebpf.failOn = null;
    f.reconcileAll();
    assertEquals("programmed", f.reconciler.status(A).orElseThrow().state());
    assertTrue(f.reconciler.capacityFailures().isEmpty());
    assertEquals(2, f.capacityChanges);
  }

  @Test
  void latencyIsObservedOncePerGenerationAndItsBookkeepingStaysBounded() {
    AgentFixture f = withEbpf();
    for (int i = 0; i < 20; i++) {
      f.addPod(new PodKey("x", "p" + i), "198.18.0." + (i + 1));
    }
    List<PodKey> all = new ArrayList<>(f.pods.keySet());
    for (int gen = 1; gen <= 50; gen++) {
      PolicyEndpoint pe = chunk("p", 0, 1, "g" + gen, List.of(), all.toArray(PodKey[]::new));
      pe.getMetadata()
          .setAnnotations(
              Map.of(PolicyEndpoint.CHANGE_SEEN_AT, Instant.now().minusMillis(30).toString()));
      f.index.put(pe);
      f.reconcileAll();
      f.reconcileAll(); // a resync observes nothing new
      assertTrue(
          f.reconciler.latencyBookkeepingSize() <= all.size(),
          "bookkeeping holds one entry per pod and policy, not per change: "
              + f.reconciler.latencyBookkeepingSize());
    }
    long observed = f.latency.snapshot().get(Double.POSITIVE_INFINITY);
    assertEquals(50L * all.size(), observed, "one observation per pod and generation");
    assertTrue(f.reconciler.status(all.get(0)).orElseThrow().lastLatencySeconds() >= 0.03);
    f.pods.clear();
    f.reconcileAll();
    assertEquals(0, f.reconciler.latencyBookkeepingSize(), "gone pods leave nothing behind");
    assertTrue(f.reconciler.statuses().isEmpty());
  }

  @Test
  void aResyncOverManyPodsAndPoliciesParsesEachPolicyOnce() {
    AgentFixture f = withEbpf();
    List<PodKey> pods = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      PodKey k = new PodKey("x", "p" + i);
      pods.add(k);
      f.addPod(k, "198.18." + (i / 250) + "." + (i % 250 + 1));
    }
    for (int p = 0; p < 40; p++) {
      f.index.put(
          chunk(
              "pol" + p,
              0,
              1,
              "g1",
              List.of("198.19." + p + ".0/24"),
              pods.toArray(PodKey[]::new)));
    }
    assertEquals(40, f.index.setsBuilt());
    f.reconcileAll();
    f.reconcileAll();
    assertEquals(40, f.index.setsBuilt(), "chunk sets are computed per policy change, not per pod");
    PodStatus s = f.reconciler.status(pods.get(7)).orElseThrow();
    assertEquals(40, s.policies().size());
    assertEquals(40, s.ingressRules());
    // one policy changes: only it is parsed again
    f.index.put(chunk("pol3", 0, 1, "g2", List.of("198.20.0.0/24"), pods.toArray(PodKey[]::new)));
    assertEquals(41, f.index.setsBuilt());
  }

  @Test
  void aResyncOfUnchangedPodsCallsNoApplyUnlessTheBackendIsUnhealthy() {
    AgentFixture f = withEbpf();
    FakeBackend ebpf = active(f);
    for (int i = 0; i < 50; i++) {
      f.addPod(new PodKey("x", "p" + i), "198.18.0." + (i + 1));
    }
    f.index.put(
        chunk("p", 0, 1, "g1", List.of("198.18.1.1/32"), f.pods.keySet().toArray(PodKey[]::new)));
    f.reconcileAll();
    assertEquals(50, ebpf.log.stream().filter(l -> l.contains(" apply ")).count());
    ebpf.log.clear();
    f.reconciler.adopt(ebpf); // a resync: the backend's view, then every pod
    f.reconcileAll();
    assertEquals(List.of(), ebpf.log, "nothing changed: no digest computed, no apply");

    f.index.put(chunk("p", 0, 1, "g2", List.of("198.18.2.1/32"), new PodKey("x", "p7")));
    f.reconcileAll();
    assertEquals(
        50, ebpf.log.stream().filter(l -> l.contains(" apply ")).count(), "the policy changed");
    ebpf.log.clear();
    ebpf.pods.remove(new PodKey("x", "p3")); // the kernel lost a pod
    f.reconciler.adopt(ebpf);
    f.reconcileAll();
    assertEquals(List.of("ebpf apply x/p3"), ebpf.log, "drift in the backend's list is repaired");
    ebpf.log.clear();
    f.reconciler.forgetApplied(); // what a resync does when the backend reports itself unhealthy
    f.reconcileAll();
    assertEquals(50, ebpf.log.size(), "every pod applied again");
  }

  @Test
  void podsTakenTogetherReachTheBackendAsOneBatchAndAFailingPodFailsAlone() {
    AgentFixture f = withEbpf();
    FakeBackend ebpf = active(f);
    List<PodKey> keys = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      keys.add(new PodKey("x", "p" + i));
      f.addPod(keys.get(i), "198.18.0." + (i + 1));
    }
    f.index.put(chunk("p", 0, 1, "g1", List.of("198.18.1.1/32"), keys.toArray(PodKey[]::new)));
    ebpf.failOn = keys.get(2);
    List<PodKey> retry = f.reconciler.reconcileAll(keys, f.switcher.active());
    assertEquals(List.of(5), ebpf.batches, "one applyAll for the five pods");
    assertEquals(List.of(keys.get(2)), retry, "only the failing pod is retried");
    assertEquals(4, ebpf.programmed().size());
    assertEquals("failed", f.reconciler.status(keys.get(2)).orElseThrow().state());
    assertEquals("programmed", f.reconciler.status(keys.get(3)).orElseThrow().state());
    ebpf.failOn = null;
    assertEquals(List.of(), f.reconciler.reconcileAll(keys, f.switcher.active()));
    assertEquals(List.of(5), ebpf.batches, "only x/p2 was left to apply, on its own");
    assertEquals(5, ebpf.programmed().size());
    assertEquals(5, f.reconciler.programmed().size());
  }

  @Test
  void statusDescribesEachPod() {
    AgentFixture f = withEbpf();
    f.addPod(A, "198.18.0.1");
    f.interfaces.put("198.18.0.1", "vethA");
    f.addPod(B, "198.18.0.2");
    f.interfaces.put("198.18.0.2", null);
    f.index.put(chunk("p", 0, 1, "g1", List.of("198.18.1.1/32"), A));
    f.reconcileAll();
    PodStatus a = f.reconciler.status(A).orElseThrow();
    assertEquals("vethA", a.hostInterface());
    assertEquals(List.of("198.18.0.1"), a.addresses());
    assertEquals("programmed", a.state());
    assertEquals(1, a.ingressRules(), a.toString());
    assertEquals(-1, a.egressRules());
    assertNotNull(a.programmedAt());
    assertEquals(f.reconciler.programmed().get(A), a.policyDigest());
    PodStatus b = f.reconciler.status(B).orElseThrow();
    assertEquals("pending", b.state());
    assertTrue(b.error().contains("no route"), b.error());
  }

  private static PodPolicy lastApplied(AgentFixture f, PodKey k) {
    Map<PodKey, String> p = new HashMap<>(f.reconciler.programmed());
    List<dev.netpol.agent.internal.PolicySet> sets = f.index.policiesOf(k);
    PodPolicy policy =
        DesiredStateCompiler.compile(k, sets, java.util.Set.of(), AgentSettings.Mode.STANDARD);
    assertEquals(policy.digest(), p.get(k), "what the agent computes is what it programmed");
    return policy;
  }

  static java.net.InetAddress addr(String s) {
    return DesiredStateCompilerTest.addr(s);
  }
}
