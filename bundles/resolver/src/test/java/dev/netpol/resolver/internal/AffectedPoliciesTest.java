package dev.netpol.resolver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netpol.resolver.ClusterSnapshot;
import dev.netpol.resolver.PolicyKey;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Incremental dirtiness: a change marks the policies it can affect and not the others. */
class AffectedPoliciesTest {
  static NetworkPolicy np(String ns, String name, String spec) {
    return Serialization.unmarshal(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            + "metadata: {namespace: "
            + ns
            + ", name: "
            + name
            + ", resourceVersion: '1'}\nspec: "
            + spec,
        NetworkPolicy.class);
  }

  static Pod pod(String ns, String name, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .withLabels(labels)
        .withResourceVersion("1")
        .endMetadata()
        .withNewSpec()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP("198.18.0.1")
        .endStatus()
        .build();
  }

  static Namespace ns(String name, Map<String, String> labels) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  final List<NetworkPolicy> policies =
      List.of(
          np("x", "selects-a", "{podSelector: {matchLabels: {app: a}}}"),
          np(
              "x",
              "peer-b",
              "{podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {app: b}}}]}]}"),
          np(
              "y",
              "ns-peer",
              "{podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: t}}}]}]}"),
          np(
              "y",
              "unrelated",
              "{podSelector: {matchLabels: {app: q}}, ingress: [{from: [{podSelector: {matchLabels: {app: q}}}]}]}"),
          np(
              "y",
              "egress-to-c",
              "{podSelector: {}, egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: c}}}]}]}"),
          np(
              "y",
              "egress-wide",
              "{podSelector: {}, egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}"));
  final ClusterIndex index =
      ClusterIndex.of(
          ClusterSnapshot.of(
              List.of(ns("x", Map.of("team", "t")), ns("y", Map.of())),
              List.of(),
              List.of(
                  new ServiceBuilder()
                      .withNewMetadata()
                      .withNamespace("x")
                      .withName("svc-c")
                      .endMetadata()
                      .withNewSpec()
                      .withClusterIP("198.19.0.1")
                      .withSelector(Map.of("app", "c"))
                      .addNewPort()
                      .withPort(80)
                      .endPort()
                      .endSpec()
                      .build())));
  final AffectedPolicies affected = new AffectedPolicies(index);

  {
    policies.forEach(affected::policyChanged);
  }

  List<PolicyKey> byPod(Pod old, Pod now) {
    PodInfo before = old == null ? null : PodInfo.of(old);
    PodInfo after = now == null ? null : PodInfo.of(now);
    if (after != null) {
      index.putPod(after);
    }
    return affected.byPod(before, after).stream().sorted().toList();
  }

  static PolicyKey key(String ns, String name) {
    return new PolicyKey(ns, name);
  }

  /**
   * Labels are not in any result: a label change affects the policies where a selector's verdict on
   * the pod changed (selects-a stops selecting it, peer-b's peer starts matching it), not those
   * that pick it either way (ns-peer).
   */
  @Test
  void podLabelChangeMarksPoliciesWhoseSelectorsChangeTheirVerdict() {
    Pod old = pod("x", "p", Map.of("app", "a"));
    Pod now = pod("x", "p", Map.of("app", "b"));
    now.getMetadata().setResourceVersion("2");
    assertEquals(List.of(key("x", "peer-b"), key("x", "selects-a")), byPod(old, now));
  }

  @Test
  void newPodMarksEveryPolicyThatPicksIt() {
    assertEquals(
        List.of(key("x", "peer-b"), key("x", "selects-a"), key("y", "ns-peer")),
        byPod(null, pod("x", "p", Map.of("app", "a"))));
  }

  @Test
  void podChangeThatResolutionDoesNotReadMarksNothing() {
    Pod old = pod("x", "p", Map.of("app", "a"));
    Pod now = pod("x", "p", Map.of("app", "a"));
    now.getMetadata().setAnnotations(Map.of("k", "v"));
    assertEquals(List.of(), byPod(old, now));
  }

  /** The pod backs no Service before or after: no egress policy needs it. */
  @Test
  void labelChangeOutsideEveryServiceMarksNoEgressPolicy() {
    Pod old = pod("x", "p", Map.of("app", "a", "role", "web"));
    Pod now = pod("x", "p", Map.of("app", "a", "role", "canary"));
    assertEquals(List.of(), byPod(old, now));
  }

  @Test
  void joiningAServiceMarksPoliciesThatDependOnItOrAllowThePod() {
    // never resolved: the dependencies are unknown, every egress policy is marked
    Pod old = pod("x", "p", Map.of("app", "a"));
    Pod now = pod("x", "p", Map.of("app", "c"));
    assertEquals(
        List.of(key("x", "selects-a"), key("y", "egress-to-c"), key("y", "egress-wide")),
        byPod(old, now));
    // resolved: egress-to-c depends on svc-c; egress-wide depends on nothing, and its block does
    // not contain the pod
    affected.resolved(key("y", "egress-to-c"), "1", java.util.Set.of("x/svc-c"));
    affected.resolved(key("y", "egress-wide"), "1", java.util.Set.of());
    Pod next = pod("x", "p", Map.of("app", "d"));
    assertEquals(List.of(key("y", "egress-to-c")), byPod(now, next));
  }

  @Test
  void namespaceLabelChangeMarksPoliciesWhoseNamespaceSelectorsMatchOldOrNew() {
    assertEquals(
        List.of(key("y", "egress-to-c"), key("y", "ns-peer")),
        affected.byNamespace(Map.of(), Map.of("team", "t")).stream().sorted().toList());
    assertEquals(List.of(), affected.byNamespace(Map.of(), Map.of()));
  }
}
