package dev.netpol.itests.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A NetworkPolicy as upstream's generators build it: ingress(...) and egress(...) behave like
 * SetSpecIngressRules/SetSpecEgressRules (the first call adds the direction to policyTypes, so
 * ingress() with no rule is deny-all and ingress(PolicyRule.all()) is allow-all). Immutable.
 */
public record Policy(
    String name,
    Selector podSelector,
    List<PolicyRule> ingressRules,
    List<PolicyRule> egressRules,
    List<String> policyTypes) {

  public static Policy named(String name, Selector podSelector) {
    return new Policy(name, podSelector, null, null, List.of());
  }

  /** Upstream's GenNetworkPolicyWithNameAndPodMatchLabel: podSelector.matchLabels = labels. */
  public static Policy withPodLabels(String name, String... labels) {
    return named(name, Selector.labels(labels));
  }

  public Policy ingress(PolicyRule... rules) {
    List<PolicyRule> in = ingressRules == null ? new ArrayList<>() : new ArrayList<>(ingressRules);
    List<String> types = new ArrayList<>(policyTypes);
    if (ingressRules == null) {
      types.add("Ingress");
    }
    in.addAll(List.of(rules));
    return new Policy(name, podSelector, List.copyOf(in), egressRules, List.copyOf(types));
  }

  public Policy egress(PolicyRule... rules) {
    List<PolicyRule> out = egressRules == null ? new ArrayList<>() : new ArrayList<>(egressRules);
    List<String> types = new ArrayList<>(policyTypes);
    if (egressRules == null) {
      types.add("Egress");
    }
    out.addAll(List.of(rules));
    return new Policy(name, podSelector, ingressRules, List.copyOf(out), List.copyOf(types));
  }

  /**
   * Replaces the ingress rules (keeps policyTypes), like assigning policy.Spec.Ingress upstream.
   */
  public Policy replaceIngress(PolicyRule... rules) {
    return new Policy(name, podSelector, List.of(rules), egressRules, policyTypes);
  }

  public Policy policyTypes(String... types) {
    return new Policy(name, podSelector, ingressRules, egressRules, List.of(types));
  }

  /** The object as the API receives it; empty rule lists are left out (Go's omitempty). */
  public Map<String, Object> toObject(String namespace) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", name);
    meta.put("namespace", namespace);
    meta.put("labels", Map.of(ConformanceNames.MANAGED_LABEL, "true"));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("podSelector", podSelector.toMap());
    if (ingressRules != null && !ingressRules.isEmpty()) {
      spec.put("ingress", ingressRules.stream().map(r -> r.toMap("from")).toList());
    }
    if (egressRules != null && !egressRules.isEmpty()) {
      spec.put("egress", egressRules.stream().map(r -> r.toMap("to")).toList());
    }
    if (!policyTypes.isEmpty()) {
      spec.put("policyTypes", policyTypes);
    }
    Map<String, Object> obj = new LinkedHashMap<>();
    obj.put("apiVersion", "networking.k8s.io/v1");
    obj.put("kind", "NetworkPolicy");
    obj.put("metadata", meta);
    obj.put("spec", spec);
    return obj;
  }
}
