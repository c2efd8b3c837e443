package dev.netpol.resolver.internal;

import dev.netpol.api.status.PolicyStatus;
import dev.netpol.policyendpoint.ChunkSet;
import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.resolver.InformerSource;
import dev.netpol.resolver.PolicyKey;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-policy status as the PolicyEndpoints in the cache show it: what the leader wrote, so a
 * controller that does not lead shows the same as the one that does.
 */
public final class StatusView {
  private StatusView() {}

  public static List<PolicyStatus> policies(InformerSource informers) {
    Map<PolicyKey, List<PolicyEndpoint>> byPolicy = new HashMap<>();
    for (PolicyEndpoint pe : informers.policyEndpoints().getStore().list()) {
      PolicyKey k = PolicyEndpointCache.policyOf(pe);
      if (k != null) {
        byPolicy.computeIfAbsent(k, x -> new ArrayList<>()).add(pe);
      }
    }
    List<PolicyStatus> out = new ArrayList<>();
    for (NetworkPolicy np : informers.networkPolicies().getStore().list()) {
      PolicyKey key = PolicyKey.of(np);
      List<PolicyEndpoint> pes = byPolicy.getOrDefault(key, new ArrayList<>());
      pes.sort(
          Comparator.comparingInt(
                  (PolicyEndpoint pe) ->
                      pe.getSpec().getChunk() == null ? -1 : pe.getSpec().getChunk().getIndex())
              .thenComparing(pe -> pe.getMetadata().getName()));
      int pods = 0;
      int in = 0;
      int eg = 0;
      boolean resolved = !pes.isEmpty();
      String message = pes.isEmpty() ? "not resolved yet" : "";
      if (!pes.isEmpty() && pes.stream().allMatch(ChunkSet::isSelection)) {
        resolved = false;
        message = "rules chunks not written yet";
      }
      for (PolicyEndpoint pe : pes) {
        pods += size(pe.getSpec().getPodSelectorEndpoints());
        in += size(pe.getSpec().getIngress());
        eg += size(pe.getSpec().getEgress());
        if (ChunkSet.isSelection(pe)) {
          continue; // the Resolved condition is on the rules chunks
        }
        Condition c = PolicyEndpointWriter.condition(pe);
        if (c == null) {
          resolved = false;
          if (message.isEmpty()) {
            message =
                "PolicyEndpoint " + pe.getMetadata().getName() + " has no Resolved condition yet";
          }
        } else if (!"True".equals(c.getStatus())) {
          resolved = false;
          message = c.getMessage();
        }
      }
      out.add(
          new PolicyStatus(
              key.namespace(),
              key.name(),
              pes.stream().map(pe -> pe.getMetadata().getName()).toList(),
              pods,
              in,
              eg,
              resolved,
              message));
    }
    out.sort(Comparator.comparing(PolicyStatus::namespace).thenComparing(PolicyStatus::name));
    return out;
  }

  private static int size(List<?> l) {
    return l == null ? 0 : l.size();
  }
}
