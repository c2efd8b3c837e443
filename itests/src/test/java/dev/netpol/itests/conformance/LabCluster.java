package dev.netpol.itests.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream model on one standalone node: namespaces x, y, z (real names carry the run id),
 * pods a, b, c in each (label pod=&lt;name&gt;, one container per port and protocol with port name
 * serve-&lt;port&gt;-&lt;proto&gt;), a ClusterIP Service s-&lt;ns&gt;-&lt;pod&gt; per pod, and an agent per pod.
 * Serves 80 and 81 over TCP, UDP and SCTP in every case, so the nine pods are reused across cases.
 */
final class LabCluster implements CaseEnv, ProbeTargets, AutoCloseable {
  static final List<Integer> PORTS = List.of(80, 81);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StandaloneNode node;
  private final PodFabric fabric;
  private final boolean ipv6;
  private final Map<String, String> realNs = new LinkedHashMap<>();
  private final Map<PodRef, PodFabric.Wired> wired = new HashMap<>();
  private final Map<PodRef, PodAgent> agents = new ConcurrentHashMap<>();
  private final Map<PodRef, String> clusterIps = new HashMap<>();
  /** Labels added by the current case, removed by reset(). */
  private final Map<String, Set<String>> addedNsLabels = new HashMap<>();
  private final Map<PodRef, Set<String>> addedPodLabels = new HashMap<>();
  private final Set<String> policyNamespaces = new TreeSet<>(PodRef.NAMESPACES);
  final Map<Mode, String> unavailable = new EnumMap<>(Mode.class);

  LabCluster(StandaloneNode node, String runId, boolean ipv6, Path agentScript) throws IOException {
    this.node = node;
    this.ipv6 = ipv6;
    this.fabric = new PodFabric(runId);
    try {
      for (String ns : PodRef.NAMESPACES) {
        realNs.put(ns, "netpol-" + ns + "-" + runId);
      }
      for (PodRef p : PodRef.ALL) {
        wired.put(p, fabric.wire(p));
      }
      node.kubectl.ok(JSON.writeValueAsString(objects()), "create", "-f", "-");
      PodRef.ALL.parallelStream().forEach(this::reportRunning);
      readClusterIps();
      for (PodRef p : PodRef.ALL) {
        agents.put(p, new PodAgent(wired.get(p).netns(), p.toString(), agentScript, PORTS));
      }
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
  }

  private Map<String, Object> objects() {
    List<Object> items = new ArrayList<>();
    for (String real : realNs.values()) {
      items.add(Map.of("apiVersion", "v1", "kind", "Namespace", "metadata", Map.of("name", real)));
    }
    for (PodRef p : PodRef.ALL) {
      String ns = realNs.get(p.namespace());
      List<Object> containers = new ArrayList<>();
      List<Object> svcPorts = new ArrayList<>();
      for (int port : PORTS) {
        for (Protocol proto : Protocol.values()) {
          containers.add(Map.of("name", "cont-" + port + "-" + proto.lower(),
              "image", "registry.k8s.io/e2e-test-images/agnhost:2.53",
              "ports", List.of(Map.of("name", "serve-" + port + "-" + proto.lower(), "containerPort", port,
                  "protocol", proto.name()))));
          svcPorts.add(Map.of("name", "service-port-" + proto.lower() + "-" + port, "port", port,
              "targetPort", port, "protocol", proto.name()));
        }
      }
      items.add(Map.of("apiVersion", "v1", "kind", "Pod",
          "metadata", Map.of("name", p.pod(), "namespace", ns, "labels", Map.of("pod", p.pod())),
          "spec", Map.of("nodeName", node.nodeName, "terminationGracePeriodSeconds", 0, "containers", containers)));
      Map<String, Object> svcSpec = new LinkedHashMap<>();
      svcSpec.put("selector", Map.of("pod", p.pod()));
      svcSpec.put("ports", svcPorts);
      if (ipv6) {
        svcSpec.put("ipFamilyPolicy", "SingleStack");
        svcSpec.put("ipFamilies", List.of("IPv6"));
      }
      items.add(Map.of("apiVersion", "v1", "kind", "Service",
          "metadata", Map.of("name", serviceName(p), "namespace", ns), "spec", svcSpec));
    }
    return Map.of("apiVersion", "v1", "kind", "List", "items", items);
  }

  String serviceName(PodRef p) {
    return "s-" + realNs.get(p.namespace()) + "-" + p.pod();
  }

  /** Writes the status a kubelet would: Running, Ready, the pod's addresses (probed family first). */
  private void reportRunning(PodRef p) {
    PodFabric.Wired w = wired.get(p);
    List<Map<String, String>> ips = ipv6 ? List.of(Map.of("ip", w.ip6()), Map.of("ip", w.ip4()))
        : List.of(Map.of("ip", w.ip4()));
    Map<String, Object> status = Map.of("status", Map.of("phase", "Running", "podIP", ips.get(0).get("ip"),
        "podIPs", ips, "hostIP", "198.19.236.1",
        "conditions", List.of(Map.of("type", "Ready", "status", "True"))));
    try {
      node.kubectl.ok(null, "patch", "pod", "-n", realNs.get(p.namespace()), p.pod(), "--subresource=status",
          "--type=merge", "-p", JSON.writeValueAsString(status));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void readClusterIps() throws IOException {
    for (String ns : realNs.values()) {
      JsonNode list = JSON.readTree(node.kubectl.ok(null, "get", "services", "-n", ns, "-o", "json"));
      for (JsonNode svc : list.path("items")) {
        for (PodRef p : PodRef.ALL) {
          if (svc.path("metadata").path("name").asText().equals(serviceName(p))) {
            for (JsonNode ip : svc.path("spec").path("clusterIPs")) {
              if (ip.asText().contains(":") == ipv6) {
                clusterIps.put(p, ip.asText());
              }
            }
          }
        }
      }
    }
    if (clusterIps.size() != PodRef.ALL.size()) {
      unavailable.put(Mode.SERVICE, "only " + clusterIps.size() + " of 9 Services got an "
          + (ipv6 ? "IPv6" : "IPv4") + " ClusterIP: " + clusterIps);
    }
  }

  @Override
  public String target(PodRef to, Mode mode) {
    return mode == Mode.SERVICE ? clusterIps.get(to) : podIp(to.toString());
  }

  @Override
  public PodAgent agent(PodRef p) {
    return agents.get(p);
  }

  // ---- CaseEnv -------------------------------------------------------------------------

  @Override
  public String namespace(String logical) {
    String real = realNs.get(logical);
    if (real == null) {
      throw new IllegalArgumentException("namespace '" + logical + "': expected x, y or z");
    }
    return real;
  }

  @Override
  public String podIp(String pod) {
    PodFabric.Wired w = wired.get(PodRef.of(pod));
    return ipv6 ? w.ip6() : w.ip4();
  }

  @Override
  public boolean ipv6() {
    return ipv6;
  }

  // ---- steps that change the cluster ---------------------------------------------------

  void labelNamespace(String logical, String key, String value) {
    addedNsLabels.computeIfAbsent(logical, k -> new TreeSet<>()).add(key);
    node.kubectl.ok(null, "label", "namespace", namespace(logical), key + "=" + value, "--overwrite");
  }

  void labelPod(PodRef p, Map<String, String> labels) {
    List<String> args = new ArrayList<>(List.of("label", "pod", "-n", namespace(p.namespace()), p.pod(),
        "--overwrite"));
    labels.forEach((k, v) -> {
      args.add(k + "=" + v);
      if (!k.equals("pod")) {
        addedPodLabels.computeIfAbsent(p, x -> new TreeSet<>()).add(k);
      }
    });
    node.kubectl.ok(null, args.toArray(String[]::new));
  }

  /** Back to the starting state: no policies, only the model's own labels. */
  void reset() {
    deleteAllPolicies();
    addedNsLabels.forEach((ns, keys) -> {
      List<String> args = new ArrayList<>(List.of("label", "namespace", namespace(ns)));
      keys.forEach(k -> args.add(k + "-"));
      node.kubectl.ok(null, args.toArray(String[]::new));
    });
    addedNsLabels.clear();
    addedPodLabels.forEach((p, keys) -> {
      List<String> args = new ArrayList<>(List.of("label", "pod", "-n", namespace(p.namespace()), p.pod(),
          "--overwrite", "pod=" + p.pod()));
      keys.forEach(k -> args.add(k + "-"));
      node.kubectl.ok(null, args.toArray(String[]::new));
    });
    addedPodLabels.clear();
  }

  /** kubectl create (or replace, for an update) of a policy file in logical namespace x, y or z. */
  void putPolicy(String logical, Path file, boolean replace) {
    policyNamespaces.add(logical);
    node.kubectl.ok(null, replace ? "replace" : "create", "-n", namespace(logical), "-f", file.toString());
  }

  /** Deletes every NetworkPolicy in the namespaces that got one. */
  void deleteAllPolicies() {
    for (String ns : policyNamespaces) {
      node.kubectl.ok(null, "delete", "networkpolicies", "--all", "-n", namespace(ns), "--wait=false");
    }
    policyNamespaces.clear();
  }

  boolean agentsAlive() {
    return agents.values().stream().allMatch(PodAgent::alive);
  }

  @Override
  public void close() {
    agents.values().forEach(PodAgent::close);
    agents.clear();
    if (node.alive()) {
      for (String ns : realNs.values()) {
        node.kubectl.run("delete", "namespace", ns, "--wait=false");
      }
    }
    fabric.close();
  }
}
