package dev.netpol.agent.internal;

import static dev.netpol.agent.internal.PolicyIndexTest.chunk;
import static org.junit.jupiter.api.Assertions.*;

import dev.netpol.api.CapacityExceededException;
import dev.netpol.api.PodKey;
import dev.netpol.api.status.PodStatus;
import dev.netpol.apiserver.EmbeddedApiServer;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointStatus;
import dev.netpol.watch.KubeCluster;
import dev.netpol.watch.Selection;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capacity condition written through netpol's real embedded API server (HTTP, status
 * subresource, resourceVersion conflicts), next to the controller's Resolved condition.
 */
class ProgrammedConditionsTest {
  static final PodKey A = PolicyIndexTest.A;
  static final PodKey B = PolicyIndexTest.B;
  static final String TYPE = ProgrammedConditions.typeFor(PolicyIndexTest.NODE);

  @TempDir Path dir;
  private final EmbeddedApiServer api = new EmbeddedApiServer();
  private KubernetesClient client;
  private final PolicyIndex index = new PolicyIndex(PolicyIndexTest.NODE);
  private final Set<PodKey> reconciled = ConcurrentHashMap.newKeySet();
  private ProgrammedConditions conditions;

  @BeforeEach
  void start() throws Exception {
    api.start("127.0.0.1", 0, dir.resolve("api"));
    api.writeKubeconfig(dir.resolve("kubeconfig"));
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(dir.resolve("kubeconfig"))))
            .build();
    try (InputStream in = PolicyEndpoint.class.getResourceAsStream(PolicyEndpoint.CRD_RESOURCE)) {
      CustomResourceDefinition crd =
          client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("x").endMetadata().build())
        .create();
    for (int i = 0; i < 2; i++) {
      PolicyEndpoint pe = chunk("p", i, 2, "g1", List.of("198.18.1." + i + "/32"), A, B);
      pe.getMetadata().setResourceVersion(null);
      PolicyEndpoint stored = client.resources(PolicyEndpoint.class).resource(pe).create();
      stored.setStatus(status(resolved("policy resolved")));
      index.put(client.resources(PolicyEndpoint.class).resource(stored).updateStatus());
    }
    KubeCluster cluster =
        new KubeCluster() {
          @Override
          public KubernetesClient client() {
            return client;
          }

          @Override
          public <T extends HasMetadata> SharedIndexInformer<T> informer(
              Class<T> type, Selection selection) {
            throw new UnsupportedOperationException();
          }

          @Override
          public String describe() {
            return "embedded API of the test";
          }
        };
    conditions =
        new ProgrammedConditions(
            PolicyIndexTest.NODE,
            () -> Optional.of(cluster),
            () -> index,
            k -> reconciled.contains(k) ? Optional.of(status(k)) : Optional.empty(),
            Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    if (conditions != null) {
      conditions.stop();
    }
    if (client != null) {
      client.close();
    }
    api.stop();
  }

  private static Condition resolved(String message) {
    return new ConditionBuilder()
        .withType(PolicyEndpoint.RESOLVED)
        .withStatus("True")
        .withReason("Resolved")
        .withMessage(message)
        .withLastTransitionTime("2026-01-01T00:00:00Z")
        .build();
  }

  private static PolicyEndpointStatus status(Condition... c) {
    PolicyEndpointStatus s = new PolicyEndpointStatus();
    s.setConditions(new ArrayList<>(List.of(c)));
    return s;
  }

  private static PodStatus status(PodKey k) {
    return new PodStatus(
        k, "", List.of(), "programmed", List.of(), -1, -1, "", null, Double.NaN, "");
  }

  private PolicyEndpoint get(String name) {
    return client.resources(PolicyEndpoint.class).inNamespace("x").withName(name).get();
  }

  /** What the informer would hold after the API's changes. */
  private void refreshIndex() {
    for (String n : List.of("p-0", "p-1")) {
      index.put(get(n));
    }
  }

  @Test
  void aCapacityFailureIsShownOnEveryChunkOfThePolicyAndClearedWhenItGoesAway() {
    reconciled.addAll(Set.of(A, B));
    Map<PodKey, CapacityExceededException> failing =
        Map.of(A, new CapacityExceededException(A, "ingress rules", 70_000, 65_536));
    conditions.setFailing(failing);
    conditions.sync();
    for (String n : List.of("p-0", "p-1")) {
      PolicyEndpoint pe = get(n);
      Condition c = ProgrammedConditions.condition(pe, TYPE);
      assertNotNull(c, n + ": " + pe.getStatus().getConditions());
      assertEquals("False", c.getStatus());
      assertEquals("CapacityExceeded", c.getReason());
      assertEquals(
          "node n1: pod x/a: ingress rules needs 70000 entries, its capacity is 65536; these pods"
              + " keep their previous state",
          c.getMessage());
      assertNotNull(c.getLastTransitionTime());
      assertEquals(
          "policy resolved",
          ProgrammedConditions.condition(pe, PolicyEndpoint.RESOLVED).getMessage(),
          "the controller's condition is kept");
    }
    refreshIndex();
    String rv = get("p-0").getMetadata().getResourceVersion();
    conditions.sync();
    assertEquals(rv, get("p-0").getMetadata().getResourceVersion(), "nothing written twice");

    conditions.setFailing(Map.of());
    conditions.sync();
    for (String n : List.of("p-0", "p-1")) {
      PolicyEndpoint pe = get(n);
      assertNull(
          ProgrammedConditions.condition(pe, TYPE), pe.getStatus().getConditions().toString());
      assertNotNull(ProgrammedConditions.condition(pe, PolicyEndpoint.RESOLVED));
    }
  }

  @Test
  void afterARestartAConditionStaysUntilItsPodsWereTriedAgain() {
    reconciled.addAll(Set.of(A, B));
    conditions.setFailing(Map.of(A, new CapacityExceededException(A, "egress rules", 9, 8)));
    conditions.sync();
    refreshIndex();
    reconciled.clear(); // a new agent: no pod reconciled yet, no failure known yet
    conditions.setFailing(Map.of());
    conditions.sync();
    assertNotNull(ProgrammedConditions.condition(get("p-0"), TYPE), "kept");
    reconciled.addAll(Set.of(A, B));
    conditions.sync();
    assertNull(ProgrammedConditions.condition(get("p-0"), TYPE), "cleared once tried again");
  }

  @Test
  void theControllerAndTheAgentWritingAtOnceLoseNeitherCondition() throws Exception {
    reconciled.addAll(Set.of(A, B));
    CompletableFuture<Integer> controller =
        CompletableFuture.supplyAsync(
            () -> {
              int conflicts = 0;
              for (int i = 0; i < 40; i++) {
                while (true) {
                  PolicyEndpoint pe = get("p-0");
                  List<Condition> cs = new ArrayList<>(pe.getStatus().getConditions());
                  cs.removeIf(c -> c.getType().equals(PolicyEndpoint.RESOLVED));
                  cs.add(resolved("resolved " + i));
                  pe.getStatus().setConditions(cs);
                  try {
                    client.resources(PolicyEndpoint.class).resource(pe).updateStatus();
                    break;
                  } catch (KubernetesClientException e) {
                    assertEquals(409, e.getCode(), e.getMessage());
                    conflicts++;
                  }
                }
              }
              return conflicts;
            });
    Map<PodKey, CapacityExceededException> failing =
        Map.of(A, new CapacityExceededException(A, "ingress rules", 11, 10));
    for (int i = 0; i < 20; i++) {
      conditions.setFailing(i % 2 == 0 ? failing : Map.of());
      conditions.sync();
      refreshIndex();
    }
    conditions.setFailing(failing);
    conditions.sync();
    int conflicts = controller.get();
    PolicyEndpoint pe = get("p-0");
    assertEquals(
        "resolved 39", ProgrammedConditions.condition(pe, PolicyEndpoint.RESOLVED).getMessage());
    assertNotNull(
        ProgrammedConditions.condition(pe, TYPE), pe.getStatus().getConditions().toString());
    System.out.println(
        "ProgrammedConditionsTest: the controller's writer met " + conflicts + " conflicts");
  }
}
