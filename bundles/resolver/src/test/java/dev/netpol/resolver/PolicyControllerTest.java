package dev.netpol.resolver;

import static dev.netpol.resolver.Fixtures.ns;
import static dev.netpol.resolver.Fixtures.pod;
import static dev.netpol.resolver.Fixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netpol.policyendpoint.NodeLabels;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.resolver.testing.EmbeddedApi;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconcile loop against the embedded API server (real HTTP, real watches). */
class PolicyControllerTest {
  EmbeddedApi api;
  KubernetesClient client;
  InformerSource informers;
  PolicyController controller;

  static final String POLICY =
      "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
          + "metadata: {namespace: x, name: allow-b}\n"
          + "spec: {podSelector: {matchLabels: {pod: a}}, ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]}";

  @BeforeEach
  void setUp() throws Exception {
    api = new EmbeddedApi();
    client = api.client();
    client.namespaces().resource(ns("x")).create();
    createPod(pod("x", "a").labels("pod=a").ips("198.18.0.1").node("n1").build());
    createPod(pod("x", "b").labels("pod=b").ips("198.18.0.2").node("n2").build());
    informers = InformerSource.create(client);
    controller =
        new PolicyController(
                client,
                informers,
                ControllerOptions.defaults()
                    .withResyncPeriod(Duration.ofHours(1))
                    .withPerNodeAbove(0)) // one selection per node, even for one pod
            .start();
  }

  @AfterEach
  void tearDown() {
    controller.close();
    informers.networkPolicies().close();
    informers.pods().close();
    informers.namespaces().close();
    informers.services().close();
    informers.policyEndpoints().close();
    api.close();
  }

  /** Creates a pod with its status (the API ignores status on create, as a real one does). */
  void createPod(io.fabric8.kubernetes.api.model.Pod pod) {
    io.fabric8.kubernetes.api.model.PodStatus status = pod.getStatus();
    io.fabric8.kubernetes.api.model.Pod created = client.pods().resource(pod).create();
    created.setStatus(status);
    client.pods().resource(created).updateStatus();
  }

  PolicyEndpoint pe(String name) {
    return client.resources(PolicyEndpoint.class).inNamespace("x").withName(name).get();
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

  void awaitIdle() throws InterruptedException {
    Thread.sleep(200);
    await("controller idle", controller::idle);
  }

  static Condition resolved(PolicyEndpoint pe) {
    return pe.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Resolved"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void policyLifecycle() throws Exception {
    Instant before = Instant.now();
    client.network().v1().networkPolicies().resource(policy(POLICY)).create();
    await(
        "PE x/allow-b-0 with a Resolved condition",
        () -> {
          PolicyEndpoint pe = pe("allow-b-0");
          return pe != null && pe.getStatus() != null && !pe.getStatus().getConditions().isEmpty();
        });
    PolicyEndpoint pe = pe("allow-b-0");
    assertEquals(List.of("Ingress"), pe.getSpec().getPodIsolation());
    assertTrue(pe.getSpec().getPodSelectorEndpoints().isEmpty(), "rules only");
    String selection = PolicyEndpointPlanner.selectionName("allow-b", "n1");
    await("the selection of node n1", () -> pe(selection) != null);
    assertEquals("a", pe(selection).getSpec().getPodSelectorEndpoints().get(0).getName());
    assertEquals("n1", pe(selection).getSpec().getNode());
    assertEquals(Map.of(NodeLabels.keyFor("n1"), ""), pe(selection).getMetadata().getLabels());
    assertEquals("198.18.0.2/32", pe.getSpec().getIngress().get(0).getCidr());
    assertEquals(Map.of(NodeLabels.keyFor("n1"), ""), pe.getMetadata().getLabels());
    assertEquals("NetworkPolicy", pe.getMetadata().getOwnerReferences().get(0).getKind());
    assertEquals("True", resolved(pe).getStatus());
    String seen = pe.getMetadata().getAnnotations().get(PolicyEndpoint.CHANGE_SEEN_AT);
    assertNotNull(seen);
    assertTrue(seen.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z"), seen);
    assertTrue(!Instant.parse(seen).isBefore(before.minusSeconds(1)), seen);

    // idempotent: a full resync writes nothing
    awaitIdle();
    long writes = controller.writes();
    String rv = pe("allow-b-0").getMetadata().getResourceVersion();
    controller.resyncAll();
    awaitIdle();
    assertEquals(writes, controller.writes());
    assertEquals(rv, pe("allow-b-0").getMetadata().getResourceVersion());

    // a new peer pod appears: only the ingress list changes
    createPod(pod("x", "b2").labels("pod=b").ips("198.18.0.3").node("n2").build());
    await("second peer", () -> pe("allow-b-0").getSpec().getIngress().size() == 2);

    // the selected pod moves labels away: the PE selects nothing and loses its node label
    client
        .pods()
        .inNamespace("x")
        .withName("a")
        .edit(
            p -> {
              p.getMetadata().getLabels().put("pod", "z");
              return p;
            });
    await(
        "no selected pods: the selection goes, the rules chunk loses its node label",
        () -> pe(selection) == null && pe("allow-b-0").getMetadata().getLabels().isEmpty());

    // delete the policy: its PolicyEndpoints go
    client.network().v1().networkPolicies().inNamespace("x").withName("allow-b").delete();
    await("PE deleted", () -> pe("allow-b-0") == null);
  }

  @Test
  void namespaceLabelAndServiceChangesReachTheirPolicies() throws Exception {
    client.namespaces().resource(ns("y")).create();
    createPod(pod("y", "c").labels("pod=c").ips("198.18.1.3").node("n3").build());
    client
        .network()
        .v1()
        .networkPolicies()
        .resource(
            policy(
                "apiVersion: networking.k8s.io/v1\n"
                    + "kind: NetworkPolicy\nmetadata: {namespace: x, name: from-blue}\n"
                    + "spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Ingress, Egress],"
                    + " ingress: [{from: [{namespaceSelector: {matchLabels: {team: blue}}}]}],"
                    + " egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: c}}}], ports: [{port: 8080}]}]}"))
        .create();
    await(
        "resolved",
        () -> pe("from-blue-0") != null && pe("from-blue-0").getSpec().getEgress().size() == 1);
    assertTrue(pe("from-blue-0").getSpec().getIngress().isEmpty());

    client
        .namespaces()
        .withName("y")
        .edit(
            n -> {
              n.getMetadata().getLabels().put("team", "blue");
              return n;
            });
    await(
        "namespace label reaches the policy",
        () -> pe("from-blue-0").getSpec().getIngress().size() == 1);

    client
        .services()
        .resource(Fixtures.svc("y", "c", "198.19.192.9", Map.of("pod", "c"), "80:8080/TCP"))
        .create();
    await(
        "service ClusterIP entry",
        () ->
            pe("from-blue-0").getSpec().getEgress().stream()
                .anyMatch(e -> e.getCidr().equals("198.19.192.9/32")));
  }
}
