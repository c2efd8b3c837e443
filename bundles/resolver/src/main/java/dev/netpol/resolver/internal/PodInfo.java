package dev.netpol.resolver.internal;

import dev.netpol.api.model.Protocol;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What resolution reads of a pod, extracted once when the pod changes (not once per policy that
 * reads it): labels, parsed IPs, node, whether it takes part in policies, and its named container
 * ports.
 */
public record PodInfo(
    String namespace,
    String name,
    String node,
    Map<String, String> labels,
    List<InetAddress> ips,
    boolean hostNetwork,
    boolean terminated,
    Map<String, Set<Integer>> namedPorts) {

  public static PodInfo of(Pod pod) {
    boolean hostNetwork =
        pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    return new PodInfo(
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(),
        PodFacts.nodeName(pod),
        Map.copyOf(PodFacts.labels(pod)),
        List.copyOf(PodFacts.ips(pod)),
        hostNetwork,
        PodFacts.terminated(pod),
        namedPorts(pod));
  }

  /**
   * Takes part in policies (selected pod or peer): own network namespace, an IP, not terminated.
   */
  public boolean eligible() {
    return !hostNetwork && !terminated && !ips.isEmpty();
  }

  /** Can receive Service traffic: not terminated and has an IP (hostNetwork included). */
  public boolean live() {
    return !terminated && !ips.isEmpty();
  }

  /** Container port numbers named {@code name} for {@code protocol}. */
  public Set<Integer> namedPort(String name, Protocol protocol) {
    Set<Integer> s = namedPorts.get(key(name, protocol.name()));
    return s == null ? Set.of() : s;
  }

  /** The facts other than labels: a change here can matter to named ports and Services. */
  public boolean sameFactsBesidesLabels(PodInfo o) {
    return o != null
        && ips.equals(o.ips)
        && hostNetwork == o.hostNetwork
        && terminated == o.terminated
        && java.util.Objects.equals(node, o.node)
        && namedPorts.equals(o.namedPorts);
  }

  private static String key(String name, String protocol) {
    return name + "/" + protocol.toUpperCase();
  }

  /** As {@link PodFacts#namedPort}: containers and restartable init containers (sidecars). */
  private static Map<String, Set<Integer>> namedPorts(Pod pod) {
    if (pod.getSpec() == null) {
      return Map.of();
    }
    List<Container> containers = new ArrayList<>();
    if (pod.getSpec().getContainers() != null) {
      containers.addAll(pod.getSpec().getContainers());
    }
    if (pod.getSpec().getInitContainers() != null) {
      for (Container c : pod.getSpec().getInitContainers()) {
        if ("Always".equals(c.getRestartPolicy())) {
          containers.add(c);
        }
      }
    }
    Map<String, Set<Integer>> out = new HashMap<>();
    for (Container c : containers) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort p : c.getPorts()) {
        if (p.getName() == null || p.getContainerPort() == null) {
          continue;
        }
        String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
        out.computeIfAbsent(key(p.getName(), proto), k -> new LinkedHashSet<>())
            .add(p.getContainerPort());
      }
    }
    out.replaceAll((k, v) -> Set.copyOf(v));
    return Map.copyOf(out);
  }
}
