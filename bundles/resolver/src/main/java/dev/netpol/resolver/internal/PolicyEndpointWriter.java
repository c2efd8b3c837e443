package dev.netpol.resolver.internal;

import dev.netpol.policyendpoint.PolicyEndpoint;
import dev.netpol.policyendpoint.PolicyEndpointStatus;
import dev.netpol.resolver.PlannedChanges;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies planned changes through the API: creates and updates first (so agents see the new
 * generation complete as early as possible), deletes last, then the Resolved condition on every
 * remaining chunk whose condition differs. Counts its writes for tests and metrics.
 */
public final class PolicyEndpointWriter {
  private final KubernetesClient client;
  private long writes;

  public PolicyEndpointWriter(KubernetesClient client) {
    this.client = client;
  }

  public synchronized long writes() {
    return writes;
  }

  private synchronized void wrote() {
    writes++;
  }

  /** Returns the objects now stored (created, updated, unchanged), for the status step. */
  public List<PolicyEndpoint> apply(PlannedChanges changes, Instant changeSeen) {
    List<PolicyEndpoint> stored = new ArrayList<>(changes.unchanged());
    String seen = Rfc3339.nanos(changeSeen);
    for (PolicyEndpoint pe : changes.create()) {
      annotate(pe, seen);
      stored.add(api(pe).create());
      wrote();
    }
    for (PolicyEndpoint pe : changes.update()) {
      annotate(pe, seen);
      stored.add(api(pe).update());
      wrote();
    }
    for (PolicyEndpoint pe : changes.delete()) {
      try {
        api(pe).delete();
        wrote();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
    return stored;
  }

  /**
   * Sets the Resolved condition where it differs; keeps lastTransitionTime if status is the same.
   */
  public void setResolved(
      List<PolicyEndpoint> stored, boolean resolved, String reason, String message, Instant now) {
    for (PolicyEndpoint pe : stored) {
      Condition old = condition(pe);
      String status = resolved ? "True" : "False";
      var spec = pe.getSpec();
      Integer pods = spec == null ? null : spec.getPodSelectorEndpoints().size();
      Integer in = spec == null || spec.getIngress() == null ? null : spec.getIngress().size();
      Integer eg = spec == null || spec.getEgress() == null ? null : spec.getEgress().size();
      PolicyEndpointStatus current = pe.getStatus();
      boolean sameCounts =
          current != null
              && Objects.equals(pods, current.getSelectedPods())
              && Objects.equals(in, current.getIngressEntries())
              && Objects.equals(eg, current.getEgressEntries());
      if (old != null
          && status.equals(old.getStatus())
          && Objects.equals(reason, old.getReason())
          && Objects.equals(message, old.getMessage())
          && sameCounts) {
        continue;
      }
      String since =
          old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
              ? old.getLastTransitionTime()
              : Rfc3339.seconds(now);
      Condition c =
          new ConditionBuilder()
              .withType(PolicyEndpoint.RESOLVED)
              .withStatus(status)
              .withReason(reason)
              .withMessage(message)
              .withLastTransitionTime(since)
              .build();
      PolicyEndpointStatus st = new PolicyEndpointStatus();
      List<Condition> conditions = new ArrayList<>();
      if (pe.getStatus() != null && pe.getStatus().getConditions() != null) {
        pe.getStatus().getConditions().stream()
            .filter(x -> !PolicyEndpoint.RESOLVED.equals(x.getType()))
            .forEach(conditions::add);
      }
      conditions.add(c);
      st.setConditions(conditions);
      st.setSelectedPods(pods);
      st.setIngressEntries(in);
      st.setEgressEntries(eg);
      pe.setStatus(st);
      api(pe).updateStatus();
      wrote();
    }
  }

  static Condition condition(PolicyEndpoint pe) {
    if (pe.getStatus() == null || pe.getStatus().getConditions() == null) {
      return null;
    }
    return pe.getStatus().getConditions().stream()
        .filter(c -> PolicyEndpoint.RESOLVED.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private static void annotate(PolicyEndpoint pe, String seen) {
    Map<String, String> a =
        pe.getMetadata().getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(pe.getMetadata().getAnnotations());
    a.put(PolicyEndpoint.CHANGE_SEEN_AT, seen);
    pe.getMetadata().setAnnotations(a);
  }

  private io.fabric8.kubernetes.client.dsl.Resource<PolicyEndpoint> api(PolicyEndpoint pe) {
    return client
        .resources(PolicyEndpoint.class)
        .inNamespace(pe.getMetadata().getNamespace())
        .resource(pe);
  }
}
