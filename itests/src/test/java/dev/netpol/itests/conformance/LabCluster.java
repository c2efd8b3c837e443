package dev.netpol.itests.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
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
 * The upstream model on one standalone node: namespaces x, y, z (real names carry the run id), pods
 * a, b, c in each (label pod=&lt;name&gt;, one container per port and protocol with port name
 * serve-&lt;port&gt;-&lt;proto&gt;), a ClusterIP Service s-&lt;ns&gt;-&lt;pod&gt; per pod, and an
 * agent per pod. Serves 80 and 81 over TCP, UDP and SCTP in every case, so the nine pods are reused
 * across cases.
 */
final class LabCluster implements CaseEnv, ProbeTargets, AutoCloseable {
  static final List<Integer> PORTS = List.of(80, 81);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StandaloneNode node;
  private final PodSource source;
  private final boolean ipv6;
  private final Map<String, String> realNs = new LinkedHashMap<>();
  private final Map<PodRef, PodSource.PodHandle> pods = new HashMap<>();
  private final Map<PodRef, PodAgent> agents = new ConcurrentHashMap<>();
  private final Map<PodRef, String> clusterIps = new HashMap<>();

  /** Labels added by the current case, removed by reset(). */
  private final Map<String, Set<String>> addedNsLabels = new HashMap<>();

  private final Map<PodRef, Set<String>> addedPodLabels = new HashMap<>();
  private final Set<String> policyNamespaces = new TreeSet<>(PodRef.NAMESPACES);
  final Map<Mode, String> unavailable = new EnumMap<>(Mode.class);

  LabCluster(StandaloneNode node, PodSource source, String runId, boolean ipv6, Path agentScript)
      throws Exception {
    this.node = node;
    this.source = source;
    this.ipv6 = ipv6;
    try {
      for (String ns : PodRef.NAMESPACES) {
        realNs.put(ns, "netpol-" + ns + "-" + runId);
      }
      node.kubectl.ok(
          Kubectl.documents(
              realNs.values().stream()
                  .map(
                      n ->
                          Map.of(
                              "apiVersion",
                              "v1",
                              "kind",
                              "Namespace",
                              "metadata",
                              Map.of("name", n)))
                  .toList()),
          "create",
          "-f",
          "-");
      pods.putAll(source.create(realNs, ipv6));
      node.kubectl.ok(Kubectl.documents(services()), "create", "-f", "-");
      readClusterIps();
      List<Integer> ports = PORTS;
      PodRef.ALL.parallelStream()
          .forEach(
              p -> {
                try {
                  agents.put(
                      p,
                      new PodAgent(
                          pods.get(p).netns(),
                          p.toString(),
                          agentScript,
                          ports,
                          !source.serversIncluded()));
                } catch (IOException e) {
                  throw new IllegalStateException("agent for pod " + p, e);
                }
              });
    } catch (Exception e) {
      try {
        close();
      } catch (RuntimeException c) {
        e.addSuppressed(c);
      }
      throw e;
    }
  }

  /**
   * One ClusterIP Service per pod, s-&lt;ns&gt;-&lt;pod&gt;, a port per protocol and port
   * (service-port-&lt;proto&gt;-&lt;port&gt;).
   */
  private List<Object> services() {
    List<Object> items = new ArrayList<>();
    for (PodRef p : PodRef.ALL) {
      List<Object> svcPorts = new ArrayList<>();
      for (int port : PORTS) {
        for (Protocol proto : Protocol.values()) {
          svcPorts.add(
              Map.of(
                  "name",
                  "service-port-" + proto.lower() + "-" + port,
                  "port",
                  port,
                  "targetPort",
                  port,
                  "protocol",
                  proto.name()));
        }
      }
      Map<String, Object> svcSpec = new LinkedHashMap<>();
      svcSpec.put("selector", Map.of("pod", p.pod()));
      svcSpec.put("ports", svcPorts);
      if (ipv6) {
        svcSpec.put("ipFamilyPolicy", "SingleStack");
        svcSpec.put("ipFamilies", List.of("IPv6"));
      }
      items.add(
          Map.of(
              "apiVersion",
              "v1",
              "kind",
              "Service",
              "metadata",
              Map.of("name", serviceName(p), "namespace", realNs.get(p.namespace())),
              "spec",
              svcSpec));
    }
    return items;
  }

  String serviceName(PodRef p) {
    return "s-" + realNs.get(p.namespace()) + "-" + p.pod();
  }

  private void readClusterIps() throws IOException {
    for (String ns : realNs.values()) {
      JsonNode list =
          JSON.readTree(node.kubectl.ok(null, "get", "services", "-n", ns, "-o", "json"));
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
      unavailable.put(
          Mode.SERVICE,
          "only "
              + clusterIps.size()
              + " of 9 Services got an "
              + (ipv6 ? "IPv6" : "IPv4")
              + " ClusterIP: "
              + clusterIps);
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
    PodSource.PodHandle h = pods.get(PodRef.of(pod));
    return ipv6 ? h.ip6() : h.ip4();
  }

  @Override
  public boolean ipv6() {
    return ipv6;
  }

  // ---- steps that change the cluster ---------------------------------------------------

  void labelNamespace(String logical, String key, String value) {
    addedNsLabels.computeIfAbsent(logical, k -> new TreeSet<>()).add(key);
    node.kubectl.ok(
        null, "label", "namespace", namespace(logical), key + "=" + value, "--overwrite");
  }

  void labelPod(PodRef p, Map<String, String> labels) {
    List<String> args =
        new ArrayList<>(
            List.of("label", "pod", "-n", namespace(p.namespace()), p.pod(), "--overwrite"));
    labels.forEach(
        (k, v) -> {
          args.add(k + "=" + v);
          if (!k.equals("pod")) {
            addedPodLabels.computeIfAbsent(p, x -> new TreeSet<>()).add(k);
          }
        });
    node.kubectl.ok(null, args.toArray(String[]::new));
  }

  /**
   * Re-enables IPv4 forwarding on the pods' host links if something switched it off: writing the
   * global net.ipv4.ip_forward (e.g. another node on this machine stopping) resets every interface.
   * Returns how many links had it off.
   */
  int ensureForwarding() {
    int fixed = 0;
    for (PodSource.PodHandle h : pods.values()) {
      Path f = Path.of("/proc/sys/net/ipv4/conf", h.hostLink(), "forwarding");
      try {
        if (Files.exists(f) && Files.readString(f).trim().equals("0")) {
          Files.writeString(f, "1");
          fixed++;
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot check forwarding on " + h.hostLink(), e);
      }
    }
    forwardingRepairs += fixed;
    return fixed;
  }

  /** Host links whose IPv4 forwarding was found off (and switched back on) during the run. */
  int forwardingRepairs;

  /** Back to the starting state: no policies, only the model's own labels. */
  void reset() {
    ensureForwarding();
    deleteAllPolicies();
    addedNsLabels.forEach(
        (ns, keys) -> {
          List<String> args = new ArrayList<>(List.of("label", "namespace", namespace(ns)));
          keys.forEach(k -> args.add(k + "-"));
          node.kubectl.ok(null, args.toArray(String[]::new));
        });
    addedNsLabels.clear();
    addedPodLabels.forEach(
        (p, keys) -> {
          List<String> args =
              new ArrayList<>(
                  List.of(
                      "label",
                      "pod",
                      "-n",
                      namespace(p.namespace()),
                      p.pod(),
                      "--overwrite",
                      "pod=" + p.pod()));
          keys.forEach(k -> args.add(k + "-"));
          node.kubectl.ok(null, args.toArray(String[]::new));
        });
    addedPodLabels.clear();
  }

  /** kubectl create (or replace, for an update) of a policy file in logical namespace x, y or z. */
  void putPolicy(String logical, Path file, boolean replace) {
    policyNamespaces.add(logical);
    node.kubectl.ok(
        null, replace ? "replace" : "create", "-n", namespace(logical), "-f", file.toString());
  }

  /** Deletes every NetworkPolicy in the namespaces that got one. */
  void deleteAllPolicies() {
    for (String ns : policyNamespaces) {
      node.kubectl.ok(
          null, "delete", "networkpolicies", "--all", "-n", namespace(ns), "--wait=false");
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
    source.close();
  }
}
