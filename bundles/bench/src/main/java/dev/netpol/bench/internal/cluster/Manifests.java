package dev.netpol.bench.internal.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's workload as manifests: filler pods spread over namespaces {@code bench-f<k>}, and
 * filler policies that each select one filler pod with {@code rulesPerPolicy} ingress rules (one
 * from a pod selector, the rest from /32 ipBlocks, each on its own port), so the node holds about
 * {@code policies × rulesPerPolicy} rules. The measured namespace {@code bench-m} holds the server,
 * the client whose access is switched, and an always-allowed client.
 */
public final class Manifests {
  public static final String MEASURED_NS = "bench-m";

  private Manifests() {}

  /** Filler pod {@code j}: namespace, name and labels. */
  public record FillerPod(String namespace, String name, String app, String role) {}

  public static int fillerNamespaces(int fillerPods) {
    return Math.max(1, Math.min(10, fillerPods / 5));
  }

  public static List<FillerPod> fillerPods(int count) {
    int nss = fillerNamespaces(count);
    List<FillerPod> out = new ArrayList<>();
    for (int j = 0; j < count; j++) {
      out.add(
          new FillerPod("bench-f" + (j % nss), "p" + (j / nss), "a" + (j / nss), "r" + (j % 5)));
    }
    return out;
  }

  /** Every filler policy, as one multi-document YAML. */
  public static String fillerPolicies(int fillerPods, int policies, int rulesPerPolicy) {
    int nss = fillerNamespaces(fillerPods);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < policies; i++) {
      int ns = i % nss;
      int podsInNs = fillerPods / nss + (ns < fillerPods % nss ? 1 : 0);
      int app = (i / nss) % Math.max(1, podsInNs);
      b.append(
              "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: bench-f")
          .append(ns)
          .append(", name: filler-")
          .append(i)
          .append("}\nspec:\n  podSelector: {matchLabels: {app: a")
          .append(app)
          .append("}}\n  policyTypes: [Ingress]\n  ingress:\n");
      b.append("  - from: [{podSelector: {matchLabels: {role: r")
          .append(i % 5)
          .append("}}}]\n    ports: [{port: ")
          .append(1000 + i % 1000)
          .append("}]\n");
      for (int k = 1; k < rulesPerPolicy; k++) {
        long n = (long) i * rulesPerPolicy + k;
        b.append("  - from: [{ipBlock: {cidr: 10.")
            .append((n >> 16) & 0xff)
            .append('.')
            .append((n >> 8) & 0xff)
            .append('.')
            .append(n & 0xff)
            .append("/32}}]\n    ports: [{port: ")
            .append(2000 + k % 30000)
            .append("}]\n");
      }
    }
    return b.toString();
  }

  /** Isolates the measured namespace's ingress and lets {@code always} reach the server. */
  public static String measuredBaseline() {
    return """
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: bench-m, name: default-deny}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: bench-m, name: allow-always}
        spec:
          podSelector: {matchLabels: {pod: srv}}
          policyTypes: [Ingress]
          ingress:
          - from: [{podSelector: {matchLabels: {pod: always}}}]
            ports: [{port: 80}]
        """;
  }

  /** The switched policy: lets {@code cli} reach the server (open) or names no pod (closed). */
  public static String switched(boolean open) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: bench-m, name: allow-cli}
        spec:
          podSelector: {matchLabels: {pod: srv}}
          policyTypes: [Ingress]
          ingress:
          - from: [{podSelector: {matchLabels: {pod: %s}}}]
            ports: [{port: 80}]
        """
        .formatted(open ? "cli" : "nobody");
  }
}
