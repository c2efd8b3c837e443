package dev.netpol.itests.conformance;

import java.util.Map;

/** One action of a case, in order; policies of earlier steps stay in place. */
public sealed interface Step {
  /** kubectl create: a new policy in logical namespace x, y or z. */
  record CreatePolicy(String namespace, Policy policy) implements Step {}

  /**
   * kubectl replace: the policy of the same name is replaced as a whole (upstream's UpdatePolicy).
   */
  record UpdatePolicy(String namespace, Policy policy) implements Step {}

  /** Every NetworkPolicy in x, y and z is deleted. */
  record DeleteAllPolicies() implements Step {}

  /** Adds one label to a namespace (the reset between cases removes it). */
  record LabelNamespace(String namespace, String key, String value) implements Step {}

  /** Sets labels on a pod, keeping the others (the reset restores pod=<name> only). */
  record LabelPod(PodRef pod, Map<String, String> labels) implements Step {}

  /** Probes the whole matrix on one port and protocol and compares it with the expectation. */
  record Validate(int port, Protocol protocol, Reachability reachability, String what)
      implements Step {}
}
