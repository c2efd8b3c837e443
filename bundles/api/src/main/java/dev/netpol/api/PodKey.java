package dev.netpol.api;

import dev.netpol.api.model.ModelException;

/**
 * A pod's identity: namespace and name. Backends key their kernel objects by it, one set per pod.
 */
public record PodKey(String namespace, String name) implements Comparable<PodKey> {

  public PodKey {
    if (namespace == null || namespace.isBlank()) {
      throw new ModelException("metadata.namespace", "namespace is missing");
    }
    if (name == null || name.isBlank()) {
      throw new ModelException("metadata.name", "name is missing");
    }
  }

  /** Parses {@code namespace/name}. */
  public static PodKey parse(String text) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1) {
      throw new ModelException("pod", "'" + text + "' is not namespace/name");
    }
    return new PodKey(text.substring(0, slash), text.substring(slash + 1));
  }

  @Override
  public int compareTo(PodKey o) {
    int c = namespace.compareTo(o.namespace);
    return c != 0 ? c : name.compareTo(o.name);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
