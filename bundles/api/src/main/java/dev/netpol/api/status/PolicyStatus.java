package dev.netpol.api.status;

import java.util.List;

/**
 * One NetworkPolicy as the controller resolved it.
 *
 * @param chunks names of its PolicyEndpoint chunks
 * @param selectedPods pods the policy selects
 * @param ingressEntries resolved ingress peers (address blocks with their ports)
 * @param egressEntries resolved egress peers
 * @param resolved false when the policy could not be resolved ({@code message} says why)
 */
public record PolicyStatus(
    String namespace,
    String name,
    List<String> chunks,
    int selectedPods,
    int ingressEntries,
    int egressEntries,
    boolean resolved,
    String message) {
  public PolicyStatus {
    chunks = List.copyOf(chunks);
    message = message == null ? "" : message;
  }
}
