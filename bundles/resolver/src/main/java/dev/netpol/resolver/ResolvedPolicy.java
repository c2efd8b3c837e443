package dev.netpol.resolver;

import java.util.List;

/**
 * A NetworkPolicy resolved against a cluster snapshot: the pods it selects, the directions it
 * isolates and, per direction, what it allows. An isolated direction with no entries denies all.
 * Lists are sorted, so equal inputs give equal results.
 */
public record ResolvedPolicy(
    PolicyKey policy,
    String uid,
    boolean ingressIsolated,
    boolean egressIsolated,
    List<SelectedPod> selectedPods,
    List<ResolvedEntry> ingress,
    List<ResolvedEntry> egress)
    implements Resolution {

  public ResolvedPolicy {
    selectedPods = selectedPods.stream().sorted().toList();
    ingress = ingress.stream().sorted().toList();
    egress = egress.stream().sorted().toList();
  }
}
