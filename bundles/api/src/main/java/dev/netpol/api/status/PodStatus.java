package dev.netpol.api.status;

import dev.netpol.api.PodKey;
import java.time.Instant;
import java.util.List;

/**
 * One local pod as the agent sees it.
 *
 * @param state {@code programmed}, {@code pending} (waiting for an interface, a backend or a
 *     complete PolicyEndpoint set) or {@code failed} (see {@code error})
 * @param policies the policies ({@code namespace/name}) that select the pod
 * @param ingressRules rules of the ingress direction, or -1 when the direction is not isolated
 * @param egressRules rules of the egress direction, or -1 when the direction is not isolated
 * @param programmedAt when the backend last accepted the pod's state, or null
 * @param lastLatencySeconds controller-seen change to programmed, of the last change; NaN if none
 * @param error the last failure's message, empty when the last reconcile succeeded
 */
public record PodStatus(
    PodKey key,
    String hostInterface,
    List<String> addresses,
    String state,
    List<String> policies,
    int ingressRules,
    int egressRules,
    String policyDigest,
    Instant programmedAt,
    double lastLatencySeconds,
    String error) {
  public PodStatus {
    addresses = List.copyOf(addresses);
    policies = List.copyOf(policies);
    hostInterface = hostInterface == null ? "" : hostInterface;
    policyDigest = policyDigest == null ? "" : policyDigest;
    error = error == null ? "" : error;
  }
}
