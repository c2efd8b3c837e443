package dev.netpol.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * coordination.k8s.io/v1 Leases are good enough for fabric8's LeaderElector with a LeaseLock (what
 * the netpol controller uses): of two electors one leads; when it stops renewing, the other takes
 * over once the lease has expired. Also: optimistic concurrency on Leases, and kubectl get leases.
 */
class LeaseLeaderElectionTest {
  @TempDir Path dir;
  private EmbeddedApiServer server;
  private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<?>> electors = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    electors.forEach(f -> f.cancel(true));
    clients.forEach(KubernetesClient::close);
    if (server != null) {
      server.stop();
    }
  }

  private KubernetesClient client(String url) {
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withOnlyHttpWatches(true)
            .withHttp2Disable(true)
            .build();
    KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
    clients.add(c);
    return c;
  }

  @Test
  void oneLeadsAndTheOtherTakesOverWhenItStopsRenewing() throws Exception {
    server = new EmbeddedApiServer();
    String url = server.start("127.0.0.1", 0, dir.resolve("data"));
    KubernetesClient admin = client(url);
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("lease").endMetadata().build())
        .create();

    Map<String, CompletableFuture<?>> byId = new ConcurrentHashMap<>();
    List<String> started = new CopyOnWriteArrayList<>();
    List<String> stopped = new CopyOnWriteArrayList<>();
    for (String id : List.of("a", "b")) {
      var elector =
          client(url)
              .leaderElector()
              .withConfig(
                  new LeaderElectionConfigBuilder()
                      .withName("netpol-controller")
                      .withLock(new LeaseLock("lease", "netpol-controller", id))
                      .withLeaseDuration(Duration.ofSeconds(3))
                      .withRenewDeadline(Duration.ofSeconds(2))
                      .withRetryPeriod(Duration.ofMillis(250))
                      .withReleaseOnCancel(false) // the leader just stops renewing, as if hung
                      .withLeaderCallbacks(
                          new LeaderCallbacks(
                              () -> started.add(id), () -> stopped.add(id), leader -> {}))
                      .build())
              .build();
      CompletableFuture<?> f = elector.start();
      byId.put(id, f);
      electors.add(f);
    }

    eventually(() -> !started.isEmpty(), "a leader");
    Thread.sleep(1500); // several retry periods: the other must not lead meanwhile
    assertEquals(1, started.size(), "leaders: " + started);
    String first = started.get(0);
    String second = first.equals("a") ? "b" : "a";
    Lease lease = admin.leases().inNamespace("lease").withName("netpol-controller").get();
    assertEquals(first, lease.getSpec().getHolderIdentity());
    assertNotNull(lease.getSpec().getRenewTime());

    if (Files.isExecutable(Kubectl.BINARY)) {
      server.writeKubeconfig(dir.resolve("kubeconfig"));
      String out =
          new Kubectl(dir.resolve("kubeconfig"), dir)
              .run("get", "leases", "-n", "lease")
              .ok()
              .out();
      assertTrue(out.contains("HOLDER") && out.contains("netpol-controller"), out);
      assertTrue(out.contains(" " + first + " "), out);
    }

    long before = System.nanoTime();
    byId.get(first).cancel(true);
    eventually(() -> started.contains(second), "the other elector to take over");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
    assertTrue(tookMs < 15_000, "take-over took " + tookMs + " ms");
    Lease after = admin.leases().inNamespace("lease").withName("netpol-controller").get();
    assertEquals(second, after.getSpec().getHolderIdentity());
    assertTrue(after.getSpec().getLeaseTransitions() >= 1, "leaseTransitions counts the change");
    assertTrue(stopped.contains(first), "the old leader was told it stopped leading");
  }

  @Test
  void leaseUpdatesWithAStaleResourceVersionConflict() {
    server = new EmbeddedApiServer();
    String url = server.start("127.0.0.1", 0, dir.resolve("data"));
    KubernetesClient c = client(url);
    Lease created =
        c.leases()
            .inNamespace("default")
            .resource(
                new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                    .withNewMetadata()
                    .withName("l")
                    .endMetadata()
                    .withNewSpec()
                    .withHolderIdentity("x")
                    .withLeaseDurationSeconds(10)
                    .endSpec()
                    .build())
            .create();
    Lease fresh =
        c.leases()
            .inNamespace("default")
            .resource(
                new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder(created)
                    .editSpec()
                    .withHolderIdentity("y")
                    .endSpec()
                    .build())
            .update();
    assertNotEquals(
        created.getMetadata().getResourceVersion(), fresh.getMetadata().getResourceVersion());
    KubernetesClientException e =
        assertThrows(
            KubernetesClientException.class,
            () ->
                c.leases()
                    .inNamespace("default")
                    .resource(
                        new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder(created)
                            .editSpec()
                            .withHolderIdentity("z")
                            .endSpec()
                            .build())
                    .update());
    assertEquals(409, e.getCode());
    assertEquals(
        "y", c.leases().inNamespace("default").withName("l").get().getSpec().getHolderIdentity());
  }

  private static void eventually(java.util.function.BooleanSupplier ok, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
