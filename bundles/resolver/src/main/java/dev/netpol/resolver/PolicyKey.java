package dev.netpol.resolver;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Namespace and name of a NetworkPolicy: the unit of work of the controller. */
public record PolicyKey(String namespace, String name) implements Comparable<PolicyKey> {

  public static PolicyKey of(HasMetadata object) {
    return new PolicyKey(object.getMetadata().getNamespace(), object.getMetadata().getName());
  }

  @Override
  public int compareTo(PolicyKey o) {
    int c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
