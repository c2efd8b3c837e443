package dev.netpol.resolver.internal;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.Protocol;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What resolution needs to know about a pod. */
public final class PodFacts {
  private PodFacts() {}

  /**
   * A pod takes part in policies (as a selected pod or a peer) if it has its own network namespace,
   * at least one IP, and has not terminated.
   */
  public static boolean eligible(Pod pod) {
    if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      return false;
    }
    return !terminated(pod) && !ips(pod).isEmpty();
  }

  public static boolean terminated(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /** Every IP of the pod: status.podIPs, else status.podIP. Unparseable values are skipped. */
  public static List<InetAddress> ips(Pod pod) {
    if (pod.getStatus() == null) {
      return List.of();
    }
    Set<String> raw = new LinkedHashSet<>();
    if (pod.getStatus().getPodIPs() != null) {
      for (PodIP ip : pod.getStatus().getPodIPs()) {
        if (ip != null && ip.getIp() != null && !ip.getIp().isBlank()) {
          raw.add(ip.getIp());
        }
      }
    }
    if (raw.isEmpty()
        && pod.getStatus().getPodIP() != null
        && !pod.getStatus().getPodIP().isBlank()) {
      raw.add(pod.getStatus().getPodIP());
    }
    List<InetAddress> out = new ArrayList<>();
    for (String s : raw) {
      try {
        out.add(Cidr.parseAddress(s.trim(), "status.podIPs", s));
      } catch (IllegalArgumentException e) {
        // a malformed IP cannot be enforced; the pod is treated as having no such IP
      }
    }
    return out;
  }

  public static Map<String, String> labels(Pod pod) {
    Map<String, String> l = pod.getMetadata().getLabels();
    return l == null ? Map.of() : l;
  }

  public static String nodeName(Pod pod) {
    return pod.getSpec() == null ? null : pod.getSpec().getNodeName();
  }

  /**
   * Container port numbers the pod names {@code name} for {@code protocol} (normally zero or one).
   * Restartable init containers (sidecars) serve ports too.
   */
  public static Set<Integer> namedPort(Pod pod, String name, Protocol protocol) {
    Set<Integer> out = new LinkedHashSet<>();
    if (pod.getSpec() == null) {
      return out;
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
    for (Container c : containers) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort p : c.getPorts()) {
        String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
        if (name.equals(p.getName())
            && protocol.name().equalsIgnoreCase(proto)
            && p.getContainerPort() != null) {
          out.add(p.getContainerPort());
        }
      }
    }
    return out;
  }
}
