package dev.netpol.resolver;

import dev.netpol.policyendpoint.PolicyEndpoint;
import java.util.List;

/**
 * The writes that bring the PolicyEndpoints of one policy to the desired state. {@code update}
 * holds desired objects carrying the resourceVersion of the object they replace (optimistic
 * locking); {@code unchanged} holds the existing objects that need no write.
 */
public record PlannedChanges(
    List<PolicyEndpoint> create,
    List<PolicyEndpoint> update,
    List<PolicyEndpoint> delete,
    List<PolicyEndpoint> unchanged) {

  public boolean isEmpty() {
    return create.isEmpty() && update.isEmpty() && delete.isEmpty();
  }

  @Override
  public String toString() {
    return "create " + names(create) + " update " + names(update) + " delete " + names(delete);
  }

  private static List<String> names(List<PolicyEndpoint> l) {
    return l.stream().map(p -> p.getMetadata().getName()).toList();
  }
}
