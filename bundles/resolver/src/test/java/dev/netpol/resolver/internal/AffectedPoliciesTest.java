package dev.netpol.resolver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netpol.resolver.ClusterSnapshot;
import dev.netpol.resolver.PolicyKey;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
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
              "{podSelector: {matchLabels: {app: q}}, ingress: [{from: [{podSelector: {matchLabels: {app: q}}}]}]}"));
  final AffectedPolicies affected =
      new AffectedPolicies(
          ClusterSnapshot.of(
              List.of(ns("x", Map.of("team", "t")), ns("y", Map.of())), List.of(), List.of()));

  @Test
  void podLabelChangeMarksPoliciesMatchingOldOrNewLabels() {
    Pod old = pod("x", "p", Map.of("app", "a"));
    Pod now = pod("x", "p", Map.of("app", "b"));
    now.getMetadata().setResourceVersion("2");
    assertEquals(
        List.of(
            new PolicyKey("x", "selects-a"),
            new PolicyKey("x", "peer-b"),
            new PolicyKey("y", "ns-peer")),
        affected.byPod(policies, old, now));
  }

  @Test
  void podChangeThatResolutionDoesNotReadMarksNothing() {
    Pod old = pod("x", "p", Map.of("app", "a"));
    Pod now = pod("x", "p", Map.of("app", "a"));
    now.getMetadata().setAnnotations(Map.of("k", "v"));
    assertEquals(List.of(), affected.byPod(policies, old, now));
  }

  @Test
  void namespaceLabelChangeMarksPoliciesWithNamespaceSelectorsOrInside() {
    assertEquals(
        List.of(new PolicyKey("y", "ns-peer")),
        affected.byNamespace(policies, ns("z", Map.of()), ns("z", Map.of("team", "t"))));
    assertEquals(List.of(), affected.byNamespace(policies, ns("z", Map.of()), ns("z", Map.of())));
  }
}
