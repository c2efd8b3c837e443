package dev.netpol.itests.conformance;

/**
 * Matches pods of the model by namespace and/or pod name; a null part matches everything
 * (upstream's Peer).
 */
public record Peer(String namespace, String pod) {
  public static Peer any() {
    return new Peer(null, null);
  }

  public static Peer ns(String namespace) {
    return new Peer(namespace, null);
  }

  public static Peer pod(String namespace, String pod) {
    return new Peer(namespace, pod);
  }

  public boolean matches(PodRef p) {
    return (namespace == null || namespace.equals(p.namespace()))
        && (pod == null || pod.equals(p.pod()));
  }
}
