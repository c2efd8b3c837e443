package dev.netpol.resolver;

import static dev.netpol.resolver.Fixtures.ns;
import static dev.netpol.resolver.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.resolver.internal.ElectedController;
import dev.netpol.resolver.internal.ElectionOptions;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three controller candidates on one API: one leads and writes, the others wait with warm caches;
 * the leader crashes (its connection dies without releasing the lease) and another takes over
 * within the lease duration plus two retry periods, leaving exactly the PolicyEndpoints the
 * policies need; a leader that stops releases the lease and the next one takes over at once.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {
  static final Duration LEASE = Duration.ofSeconds(2);
  static final Duration RENEW = Duration.ofMillis(1500);
  static final Duration RETRY = Duration.ofMillis(250);
  KubernetesClient client;
  final List<Candidate> candidates = new ArrayList<>();

  /** A controller process: its own client and informers. */
  record Candidate(KubernetesClient client, InformerSource informers, ElectedController ctl) {
    void crash() {
      // Watches closed first: fabric8's mock server handles a watch whose connection fails on
      // its one event loop thread and waits there up to 30 s, stalling every other candidate's
      // requests (seen in CI as a 30 s take-over). The lease is not released by this.
      informers.networkPolicies().close();
      informers.pods().close();
      informers.namespaces().close();
      informers.services().close();
      informers.policyEndpoints().close();
      client.close(); // no renewal, no release: the lease expires
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    try (var in = PolicyEndpoint.class.getResourceAsStream(PolicyEndpoint.CRD_RESOURCE)) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(Serialization.unmarshal(in, CustomResourceDefinition.class))
          .create();
    }
    client.namespaces().resource(ns("x")).create();
    client.namespaces().resource(ns("kube-system")).create();
  }

  @AfterEach
  void tearDown() {
    for (Candidate c : candidates) {
      c.ctl().close();
      c.informers().networkPolicies().close();
      c.informers().pods().close();
      c.informers().namespaces().close();
      c.informers().services().close();
      c.informers().policyEndpoints().close();
      c.client().close();
    }
  }

  Candidate candidate(String name) {
    KubernetesClient own =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(client.getConfiguration()).build())
            .build();
    InformerSource informers = InformerSource.create(own);
    ElectedController ctl =
        new ElectedController(
                own,
                informers,
                ControllerOptions.defaults()
                    .withResyncPeriod(Duration.ofHours(1))
                    .withPerNodeAbove(0),
                new ElectionOptions(
                    true, "kube-system", "netpol-controller", name, LEASE, RENEW, RETRY),
                () -> true) // the mock API's discovery does not list Leases; its CRUD serves them
            .start();
    Candidate cand = new Candidate(own, informers, ctl);
    candidates.add(cand);
    return cand;
  }

  void policy(String name) {
    client
        .network()
        .v1()
        .networkPolicies()
        .resource(
            Fixtures.policy(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: x,"
                    + " name: "
                    + name
                    + "}\nspec: {podSelector: {matchLabels: {app: "
                    + name
                    + "}}, ingress: [{from: [{podSelector: {}}]}]}"))
        .create();
  }

  /**
   * The PolicyEndpoints in x, sorted: rules chunks by name, selections as "policy@node", and "ok"
   * if its policyRef carries the uid of the policy that exists now (else the stale uid).
   */
  List<String> endpoints() {
    return client.resources(PolicyEndpoint.class).inNamespace("x").list().getItems().stream()
        .map(
            pe -> {
              var np =
                  client
                      .network()
                      .v1()
                      .networkPolicies()
                      .inNamespace("x")
                      .withName(pe.getSpec().getPolicyRef().getName())
                      .get();
              String uid = pe.getSpec().getPolicyRef().getUid();
              String what =
                  pe.getSpec().getChunk() != null
                      ? pe.getMetadata().getName()
                      : pe.getSpec().getPolicyRef().getName() + "@" + pe.getSpec().getNode();
              return what
                  + " "
                  + (np != null && np.getMetadata().getUid().equals(uid) ? "ok" : uid);
            })
        .sorted()
        .toList();
  }

  String holder() {
    Lease l = client.leases().inNamespace("kube-system").withName("netpol-controller").get();
    return l == null ? null : l.getSpec().getHolderIdentity();
  }

  @Test
  void oneLeadsAnotherTakesOverAfterACrashAndAtOnceAfterAStop() throws Exception {
    for (String app : List.of("p1", "p2", "p3", "p4", "p5")) {
      client
          .pods()
          .resource(pod("x", app).labels("app=" + app).ips("198.18.0." + app.charAt(1)).build())
          .create();
    }
    Candidate a = candidate("host-a_1");
    await("a leads", () -> a.ctl().leader());
    Candidate b = candidate("host-b_2");
    Candidate c = candidate("host-c_3");
    Thread.sleep(4 * RETRY.toMillis());
    assertFalse(b.ctl().leader() || c.ctl().leader(), "one leader");
    assertEquals("host-a_1", holder());
    policy("p1");
    policy("p2");
    policy("p3");
    await("a writes", () -> endpoints().size() == 6);
    await("a writes creates and status", () -> a.ctl().writes() >= 9);
    assertEquals(0, b.ctl().writes() + c.ctl().writes(), "followers write nothing");

    long crash = System.nanoTime();
    a.crash();
    policy("p4");
    client.network().v1().networkPolicies().inNamespace("x").withName("p1").delete();
    await("a successor leads", () -> b.ctl().leader() || c.ctl().leader());
    long takeover = (System.nanoTime() - crash) / 1_000_000;
    Candidate next = b.ctl().leader() ? b : c;
    Candidate other = next == b ? c : b;
    assertFalse(other.ctl().leader(), "one leader");
    System.out.printf("LeaderElectionTest: take-over %d ms after the crash%n", takeover);
    assertTrue(
        takeover <= LEASE.toMillis() + 3 * RETRY.toMillis() + 1000,
        "take-over after " + takeover + " ms");
    await(
        "the new leader converges",
        () ->
            endpoints()
                .equals(
                    List.of(
                        "p2-0 ok",
                        "p2@node-1 ok",
                        "p3-0 ok",
                        "p3@node-1 ok",
                        "p4-0 ok",
                        "p4@node-1 ok")));
    assertEquals(next.ctl().identity(), holder());

    long stop = System.nanoTime();
    next.ctl().close();
    await("the last one leads", () -> other.ctl().leader());
    long handover = (System.nanoTime() - stop) / 1_000_000;
    System.out.printf("LeaderElectionTest: hand-over %d ms after a stop%n", handover);
    assertTrue(handover < LEASE.toMillis(), "a released lease is taken at once: " + handover);
    policy("p5");
    await(
        "the last one writes",
        () ->
            endpoints()
                .equals(
                    List.of(
                        "p2-0 ok",
                        "p2@node-1 ok",
                        "p3-0 ok",
                        "p3@node-1 ok",
                        "p4-0 ok",
                        "p4@node-1 ok",
                        "p5-0 ok",
                        "p5@node-1 ok")));
  }

  /**
   * A standalone node killed and started again finds its old lease, held by its old pid: it takes
   * it at once instead of waiting for it to expire. A lease held by a live process is waited for.
   */
  @Test
  void aLeaseOfADeadProcessOfThisHostIsTakenAtOnce() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long dead = p.pid();
    client
        .leases()
        .inNamespace("kube-system")
        .resource(
            new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                .withNewMetadata()
                .withName("netpol-controller")
                .withNamespace("kube-system")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity("testhost_" + dead)
                .withLeaseDurationSeconds(30)
                .withAcquireTime(java.time.ZonedDateTime.now())
                .withRenewTime(java.time.ZonedDateTime.now())
                .withLeaseTransitions(0)
                .endSpec()
                .build())
        .create();
    long t0 = System.nanoTime();
    Candidate a = candidate("testhost_" + ProcessHandle.current().pid());
    await("a leads", () -> a.ctl().leader());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 5000, "took the dead process's lease after " + ms + " ms");

    // the same with a live holder (this JVM itself, under another name): it waits
    a.ctl().close();
    // a's close releases the lease in the background: a write of ours may race it (409), so retry
    for (int attempt = 1; ; attempt++) {
      Lease l = client.leases().inNamespace("kube-system").withName("netpol-controller").get();
      l.getSpec().setHolderIdentity("testhost_" + ProcessHandle.current().pid());
      l.getSpec().setLeaseDurationSeconds(30);
      l.getSpec().setRenewTime(java.time.ZonedDateTime.now());
      try {
        client.leases().inNamespace("kube-system").resource(l).update();
        break;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
    Candidate b = candidate("testhost_1" + ProcessHandle.current().pid());
    Thread.sleep(2000);
    assertFalse(b.ctl().leader(), "a live holder's lease is waited for");
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
