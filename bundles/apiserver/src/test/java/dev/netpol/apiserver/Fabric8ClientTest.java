package dev.netpol.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fabric8 client (JDK HTTP client, HTTP watches) against the embedded server. */
class Fabric8ClientTest {
  @TempDir static Path dir;
  private static EmbeddedApiServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    server = new EmbeddedApiServer();
    String url = server.start("127.0.0.1", 0, dir);
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url)
            .withOnlyHttpWatches(true)
            .withHttp2Disable(true)
            .build();
    client = new KubernetesClientBuilder().withConfig(config).build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private static void namespace(String name) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  private static Pod pod(String ns, String name, String app, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .addToLabels("app", app)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("c")
        .withImage("nginx")
        .endContainer()
        .endSpec()
        .build();
  }

  private static List<String> names(List<? extends HasMetadata> items) {
    return items.stream().map(o -> o.getMetadata().getName()).sorted().collect(Collectors.toList());
  }

  @Test
  void crudConflictAndGenerateName() {
    namespace("f8-crud");
    Pod created =
        client
            .pods()
            .inNamespace("f8-crud")
            .resource(pod("f8-crud", "p", "web", "node-1"))
            .create();
    assertNotNull(created.getMetadata().getUid());
    assertEquals("Pending", created.getStatus().getPhase());
    Pod stale = client.pods().inNamespace("f8-crud").withName("p").get();
    client
        .pods()
        .inNamespace("f8-crud")
        .withName("p")
        .edit(p -> new PodBuilder(p).editMetadata().addToLabels("v", "2").endMetadata().build());
    stale.getMetadata().getLabels().put("v", "3");
    KubernetesClientException conflict =
        assertThrows(
            KubernetesClientException.class,
            () -> client.pods().inNamespace("f8-crud").resource(stale).update());
    assertEquals(409, conflict.getCode());
    assertEquals(
        "2",
        client
            .pods()
            .inNamespace("f8-crud")
            .withName("p")
            .get()
            .getMetadata()
            .getLabels()
            .get("v"));
    client
        .pods()
        .inNamespace("f8-crud")
        .withName("p")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"v\":null,\"w\":\"1\"}}}");
    assertEquals(
        Map.of("app", "web", "w", "1"),
        client.pods().inNamespace("f8-crud").withName("p").get().getMetadata().getLabels());

    Pod generated =
        client
            .pods()
            .inNamespace("f8-crud")
            .resource(
                new PodBuilder(pod("f8-crud", null, "gen", "n"))
                    .editMetadata()
                    .withGenerateName("gen-")
                    .endMetadata()
                    .build())
            .create();
    assertTrue(
        generated.getMetadata().getName().matches("gen-[a-z0-9]{5}"),
        generated.getMetadata().getName());

    KubernetesClientException missingNs =
        assertThrows(
            KubernetesClientException.class,
            () -> client.pods().inNamespace("nope").resource(pod("nope", "p", "a", "n")).create());
    assertEquals(404, missingNs.getCode());
    assertTrue(client.pods().inNamespace("f8-crud").withName("p").delete().size() == 1);
    assertNull(client.pods().inNamespace("f8-crud").withName("p").get());
  }

  @Test
  void labelAndFieldSelectors() {
    namespace("f8-sel");
    client.pods().inNamespace("f8-sel").resource(pod("f8-sel", "a", "web", "node-1")).create();
    client.pods().inNamespace("f8-sel").resource(pod("f8-sel", "b", "web", "node-2")).create();
    client.pods().inNamespace("f8-sel").resource(pod("f8-sel", "c", "db", "node-1")).create();
    var pods = client.pods().inNamespace("f8-sel");
    assertEquals(List.of("a", "b"), names(pods.withLabel("app", "web").list().getItems()));
    assertEquals(
        List.of("a", "b", "c"), names(pods.withLabelIn("app", "web", "db").list().getItems()));
    assertEquals(List.of("c"), names(pods.withLabelNotIn("app", "web").list().getItems()));
    assertEquals(List.of(), names(pods.withoutLabel("app").list().getItems()));
    assertEquals(
        List.of("a", "b"),
        names(
            pods.withLabelSelector(
                    new LabelSelectorBuilder()
                        .addNewMatchExpression()
                        .withKey("app")
                        .withOperator("In")
                        .withValues("web")
                        .endMatchExpression()
                        .build())
                .list()
                .getItems()));
    assertEquals(
        List.of("a", "c"),
        names(
            client.pods().inAnyNamespace().withField("spec.nodeName", "node-1").list().getItems()));
    assertEquals(List.of("b"), names(pods.withField("metadata.name", "b").list().getItems()));
    assertEquals(
        List.of("b"),
        names(
            pods.withLabel("app", "web")
                .withoutField("spec.nodeName", "node-1")
                .list()
                .getItems()));
  }

  @Test
  void informersWithHttpWatches() throws Exception {
    namespace("f8-inf");
    client.pods().inNamespace("f8-inf").resource(pod("f8-inf", "before", "web", "node-1")).create();
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    BlockingQueue<String> nodeEvents = new LinkedBlockingQueue<>();
    try (SharedIndexInformer<Pod> informer =
            client
                .pods()
                .inNamespace("f8-inf")
                .withLabel("app", "web")
                .inform(recorder(events), 0);
        SharedIndexInformer<Pod> byNode =
            client
                .pods()
                .inAnyNamespace()
                .withField("spec.nodeName", "node-9")
                .inform(recorder(nodeEvents), 0)) {
      assertEquals("add before", events.poll(10, TimeUnit.SECONDS));
      client
          .pods()
          .inNamespace("f8-inf")
          .resource(pod("f8-inf", "after", "web", "node-9"))
          .create();
      assertEquals("add after", events.poll(10, TimeUnit.SECONDS));
      assertEquals("add after", nodeEvents.poll(10, TimeUnit.SECONDS));
      client
          .pods()
          .inNamespace("f8-inf")
          .withName("after")
          .edit(
              p ->
                  new PodBuilder(p)
                      .editMetadata()
                      .addToAnnotations("a", "b")
                      .endMetadata()
                      .build());
      assertEquals("update after", events.poll(10, TimeUnit.SECONDS));
      client
          .pods()
          .inNamespace("f8-inf")
          .withName("before")
          .edit(
              p ->
                  new PodBuilder(p)
                      .editMetadata()
                      .addToLabels("app", "other")
                      .endMetadata()
                      .build());
      assertEquals(
          "delete before", events.poll(10, TimeUnit.SECONDS), "leaving the selection is a delete");
      client.pods().inNamespace("f8-inf").withName("after").delete();
      assertEquals("delete after", events.poll(10, TimeUnit.SECONDS));
      assertEquals("update after", nodeEvents.poll(10, TimeUnit.SECONDS));
      assertEquals("delete after", nodeEvents.poll(10, TimeUnit.SECONDS));
      assertNull(events.poll(300, TimeUnit.MILLISECONDS), "no duplicates");
    }
  }

  private static ResourceEventHandler<Pod> recorder(BlockingQueue<String> events) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod p) {
        events.add("add " + p.getMetadata().getName());
      }

      @Override
      public void onUpdate(Pod old, Pod p) {
        if (!old.getMetadata().getResourceVersion().equals(p.getMetadata().getResourceVersion())) {
          events.add("update " + p.getMetadata().getName());
        }
      }

      @Override
      public void onDelete(Pod p, boolean unknown) {
        events.add("delete " + p.getMetadata().getName());
      }
    };
  }

  @Test
  void updateStatusChangesOnlyStatus() {
    namespace("f8-status");
    Pod p =
        client.pods().inNamespace("f8-status").resource(pod("f8-status", "p", "web", "n")).create();
    p.getStatus().setPhase("Running");
    p.getStatus().setPodIP("198.18.99.30");
    p.getMetadata().getLabels().put("ignored", "yes");
    Pod after = client.pods().inNamespace("f8-status").resource(p).updateStatus();
    assertEquals("Running", after.getStatus().getPhase());
    assertNull(after.getMetadata().getLabels().get("ignored"));
    Pod main = client.pods().inNamespace("f8-status").withName("p").get();
    main.getStatus().setPhase("Failed");
    main.getMetadata().getLabels().put("kept", "yes");
    Pod updated = client.pods().inNamespace("f8-status").resource(main).update();
    assertEquals(
        "Running", updated.getStatus().getPhase(), "status in a main-resource PUT is ignored");
    assertEquals("yes", updated.getMetadata().getLabels().get("kept"));
  }

  @Test
  void customResourcesAndOwnerGarbageCollection() throws Exception {
    namespace("f8-gc");
    client.resource(Crds.POLICY_ENDPOINT).create();
    NetworkPolicy np =
        client
            .network()
            .v1()
            .networkPolicies()
            .inNamespace("f8-gc")
            .resource(
                new NetworkPolicyBuilder()
                    .withNewMetadata()
                    .withName("np")
                    .withNamespace("f8-gc")
                    .endMetadata()
                    .withNewSpec()
                    .withNewPodSelector()
                    .endPodSelector()
                    .endSpec()
                    .build())
            .create();
    assertEquals(List.of("Ingress"), np.getSpec().getPolicyTypes());
    var pes =
        client
            .genericKubernetesResources("policy.netpol.dev/v1alpha1", "PolicyEndpoint")
            .inNamespace("f8-gc");
    GenericKubernetesResource pe = new GenericKubernetesResource();
    pe.setApiVersion("policy.netpol.dev/v1alpha1");
    pe.setKind("PolicyEndpoint");
    pe.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("np-abcde")
            .withNamespace("f8-gc")
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("networking.k8s.io/v1")
                    .withKind("NetworkPolicy")
                    .withName("np")
                    .withUid(np.getMetadata().getUid())
                    .withController(true)
                    .build())
            .build());
    pe.setAdditionalProperty("spec", Map.of("podIsolation", List.of("Ingress")));
    pes.resource(pe).create();
    GenericKubernetesResource withStatus = pes.withName("np-abcde").get();
    withStatus.setAdditionalProperty("status", Map.of("programmed", true));
    pes.resource(withStatus).updateStatus();
    assertEquals(
        Map.of("programmed", true),
        pes.withName("np-abcde").get().getAdditionalProperties().get("status"));
    // a status write from a stale copy (a second controller, or a retry) is a proper 409 Conflict
    withStatus.setAdditionalProperty("status", Map.of("programmed", false));
    KubernetesClientException conflict =
        assertThrows(
            KubernetesClientException.class, () -> pes.resource(withStatus).updateStatus());
    assertEquals(409, conflict.getCode());
    assertEquals("Conflict", conflict.getStatus().getReason());
    assertEquals("policyendpoints", conflict.getStatus().getDetails().getKind());
    assertEquals("policy.netpol.dev", conflict.getStatus().getDetails().getGroup());
    assertTrue(
        conflict
            .getStatus()
            .getMessage()
            .startsWith(
                "Operation cannot be fulfilled on policyendpoints.policy.netpol.dev \"np-abcde\""),
        conflict.getStatus().getMessage());
    assertEquals(
        Map.of("programmed", true),
        pes.withName("np-abcde").get().getAdditionalProperties().get("status"),
        "the conflicting write changed nothing");
    client.network().v1().networkPolicies().inNamespace("f8-gc").withName("np").delete();
    long deadline = System.currentTimeMillis() + 10_000;
    while (pes.withName("np-abcde").get() != null && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertNull(pes.withName("np-abcde").get(), "the PolicyEndpoint went with its owner");
  }

  @Test
  void concurrentPatchesAreNotLost() throws Exception {
    namespace("f8-race");
    client
        .configMaps()
        .inNamespace("f8-race")
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("cm")
                .endMetadata()
                .build())
        .create();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    client
                        .configMaps()
                        .inNamespace("f8-race")
                        .withName("cm")
                        .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"data\":{\"k" + thread + "-" + i + "\":\"v\"}}");
                  }
                }));
      }
      for (var f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(
        100, client.configMaps().inNamespace("f8-race").withName("cm").get().getData().size());
  }

  @Test
  void leaderElectionWithALease() throws Exception {
    namespace("f8-lease");
    java.util.concurrent.CountDownLatch leading = new java.util.concurrent.CountDownLatch(1);
    var config =
        new io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder()
            .withName("netpol")
            .withLeaseDuration(java.time.Duration.ofSeconds(10))
            .withRenewDeadline(java.time.Duration.ofSeconds(8))
            .withRetryPeriod(java.time.Duration.ofMillis(200))
            .withLock(
                new io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock(
                    "f8-lease", "netpol-leader", "me"))
            .withLeaderCallbacks(
                new io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks(
                    leading::countDown, () -> {}, id -> {}))
            .build();
    var future = client.leaderElector().withConfig(config).build().start();
    try {
      assertTrue(leading.await(10, TimeUnit.SECONDS));
      assertEquals(
          "me",
          client
              .leases()
              .inNamespace("f8-lease")
              .withName("netpol-leader")
              .get()
              .getSpec()
              .getHolderIdentity());
    } finally {
      future.cancel(true);
    }
  }

  @Test
  void deletingACrdStopsServingItsKind() throws Exception {
    namespace("f8-crd");
    client.resource(Crds.POLICY_ENDPOINT.replace("policy.netpol.dev", "tmp.netpol.dev")).create();
    var res =
        client
            .genericKubernetesResources("tmp.netpol.dev/v1alpha1", "PolicyEndpoint")
            .inNamespace("f8-crd");
    GenericKubernetesResource pe = new GenericKubernetesResource();
    pe.setApiVersion("tmp.netpol.dev/v1alpha1");
    pe.setKind("PolicyEndpoint");
    pe.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("x").build());
    res.resource(pe).create();
    assertEquals(1, res.list().getItems().size());
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("policyendpoints.tmp.netpol.dev")
        .delete();
    KubernetesClientException gone =
        assertThrows(KubernetesClientException.class, () -> res.list());
    assertEquals(404, gone.getCode());
    assertNull(
        client.raw(client.getMasterUrl() + "apis/tmp.netpol.dev/v1alpha1"), "gone from discovery");
  }
}
