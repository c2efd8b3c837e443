package dev.netpol.itests.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite's own pods: {@link PodFabric} wiring, Pod objects created with kubectl and their status
 * written through the status subresource like a kubelet would (Running, Ready, podIPs).
 */
final class NetnsPods implements PodSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Kubectl kubectl;
  private final String nodeName;
  private final PodFabric fabric;

  NetnsPods(Kubectl kubectl, String nodeName, String runId) {
    this.kubectl = kubectl;
    this.nodeName = nodeName;
    this.fabric = new PodFabric(runId);
  }

  @Override
  public Map<PodRef, PodHandle> create(Map<String, String> realNs, boolean ipv6) throws Exception {
    Map<PodRef, PodHandle> out = new LinkedHashMap<>();
    Map<PodRef, PodFabric.Wired> wired = new java.util.concurrent.ConcurrentHashMap<>();
    PodRef.ALL.parallelStream().forEach(p -> wired.put(p, fabric.wire(p)));
    List<Object> pods = new ArrayList<>();
    for (PodRef p : PodRef.ALL) {
      PodFabric.Wired w = wired.get(p);
      out.put(p, new PodHandle(w.netns(), w.hostVeth(), w.ip4(), ipv6 ? w.ip6() : null));
      List<Object> containers = new ArrayList<>();
      for (int port : LabCluster.PORTS) {
        for (Protocol proto : Protocol.values()) {
          containers.add(
              Map.of(
                  "name",
                  "cont-" + port + "-" + proto.lower(),
                  "image",
                  "registry.k8s.io/e2e-test-images/agnhost:2.53",
                  "ports",
                  List.of(
                      Map.of(
                          "name",
                          "serve-" + port + "-" + proto.lower(),
                          "containerPort",
                          port,
                          "protocol",
                          proto.name()))));
        }
      }
      pods.add(
          Map.of(
              "apiVersion",
              "v1",
              "kind",
              "Pod",
              "metadata",
              Map.of(
                  "name",
                  p.pod(),
                  "namespace",
                  realNs.get(p.namespace()),
                  "labels",
                  Map.of("pod", p.pod())),
              "spec",
              Map.of(
                  "nodeName",
                  nodeName,
                  "terminationGracePeriodSeconds",
                  0,
                  "containers",
                  containers)));
    }
    kubectl.ok(Kubectl.documents(pods), "create", "-f", "-");
    out.entrySet().parallelStream()
        .forEach(
            e ->
                reportRunning(
                    realNs.get(e.getKey().namespace()), e.getKey().pod(), e.getValue(), ipv6));
    return out;
  }

  /** Running and Ready with the pod's addresses, the probed family first. */
  private void reportRunning(String ns, String name, PodHandle h, boolean ipv6) {
    List<Map<String, String>> ips =
        ipv6
            ? List.of(Map.of("ip", h.ip6()), Map.of("ip", h.ip4()))
            : List.of(Map.of("ip", h.ip4()));
    Map<String, Object> status =
        Map.of(
            "status",
            Map.of(
                "phase",
                "Running",
                "podIP",
                ips.get(0).get("ip"),
                "podIPs",
                ips,
                "hostIP",
                "198.19.236.1",
                "conditions",
                List.of(Map.of("type", "Ready", "status", "True"))));
    try {
      kubectl.ok(
          null,
          "patch",
          "pod",
          "-n",
          ns,
          name,
          "--subresource=status",
          "--type=merge",
          "-p",
          JSON.writeValueAsString(status));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean serversIncluded() {
    return false;
  }

  @Override
  public void close() {
    fabric.close();
  }
}
