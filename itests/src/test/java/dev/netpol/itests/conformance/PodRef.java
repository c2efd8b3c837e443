package dev.netpol.itests.conformance;

import java.util.List;

/**
 * One pod of the model by its logical names, e.g. x/a; the real namespace name carries a per-run
 * suffix.
 */
public record PodRef(String namespace, String pod) {
  public static final List<String> NAMESPACES = List.of("x", "y", "z");
  public static final List<String> PODS = List.of("a", "b", "c");

  /** The nine pods in matrix order: x/a x/b x/c y/a ... z/c. */
  public static final List<PodRef> ALL =
      NAMESPACES.stream().flatMap(ns -> PODS.stream().map(p -> new PodRef(ns, p))).toList();

  public static PodRef of(String text) {
    String[] parts = text.split("/");
    if (parts.length != 2 || !NAMESPACES.contains(parts[0]) || !PODS.contains(parts[1])) {
      throw new IllegalArgumentException("pod reference '" + text + "': expected <x|y|z>/<a|b|c>");
    }
    return new PodRef(parts[0], parts[1]);
  }

  /** Position in {@link #ALL}, the matrix row/column. */
  public int index() {
    return NAMESPACES.indexOf(namespace) * PODS.size() + PODS.indexOf(pod);
  }

  @Override
  public String toString() {
    return namespace + "/" + pod;
  }
}
