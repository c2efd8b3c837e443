package dev.netpol.resolver;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The NetworkPolicy v1 spec evaluated directly on the API objects, written from the spec text and
 * independently of the resolver (own selector matching, own CIDR arithmetic, own defaulting). A
 * connection src -> dst is allowed iff src's egress allows it and dst's ingress allows it.
 */
final class ReferenceEvaluator {
  private final List<Namespace> namespaces;
  private final List<Pod> pods;
  private final List<NetworkPolicy> policies;

  ReferenceEvaluator(List<Namespace> namespaces, List<Pod> pods, List<NetworkPolicy> policies) {
    this.namespaces = namespaces;
    this.pods = pods;
    this.policies = policies;
  }

  /** May {@code from} (a pod, or null for an outside address) send to {@code to} at ip:port? */
  boolean allowed(Pod from, String fromIp, Pod to, String toIp, String protocol, int port) {
    return (from == null || egressAllows(from, toIp, protocol, port))
        && (to == null || ingressAllows(to, fromIp, protocol, port));
  }

  boolean ingressAllows(Pod target, String sourceIp, String protocol, int port) {
    boolean isolated = false;
    for (NetworkPolicy np : policies) {
      if (!selects(np, target) || !types(np).contains("Ingress")) {
        continue;
      }
      isolated = true;
      var rules =
          np.getSpec().getIngress() == null
              ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of()
              : np.getSpec().getIngress();
      for (var rule : rules) {
        if (peersMatch(np, rule.getFrom(), sourceIp)
            && portsMatch(rule.getPorts(), target, protocol, port)) {
          return true;
        }
      }
    }
    return !isolated;
  }

  boolean egressAllows(Pod source, String destIp, String protocol, int port) {
    boolean isolated = false;
    Pod destPod = podWithIp(destIp);
    for (NetworkPolicy np : policies) {
      if (!selects(np, source) || !types(np).contains("Egress")) {
        continue;
      }
      isolated = true;
      var rules =
          np.getSpec().getEgress() == null
              ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of()
              : np.getSpec().getEgress();
      for (var rule : rules) {
        if (peersMatch(np, rule.getTo(), destIp)
            && portsMatch(rule.getPorts(), destPod, protocol, port)) {
          return true;
        }
      }
    }
    return !isolated;
  }

  /** Effective policyTypes: as written, else Ingress plus Egress when egress rules exist. */
  static List<String> types(NetworkPolicy np) {
    List<String> t = np.getSpec().getPolicyTypes();
    if (t != null && !t.isEmpty()) {
      return t;
    }
    List<String> out = new ArrayList<>(List.of("Ingress"));
    if (np.getSpec().getEgress() != null && !np.getSpec().getEgress().isEmpty()) {
      out.add("Egress");
    }
    return out;
  }

  boolean selects(NetworkPolicy np, Pod pod) {
    return live(pod)
        && pod.getMetadata().getNamespace().equals(np.getMetadata().getNamespace())
        && selectorMatches(np.getSpec().getPodSelector(), pod.getMetadata().getLabels());
  }

  private boolean peersMatch(NetworkPolicy np, List<NetworkPolicyPeer> peers, String ip) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer peer : peers) {
      if (peer.getIpBlock() != null) {
        if (inBlock(peer.getIpBlock(), ip)) {
          return true;
        }
        continue;
      }
      Pod p = podWithIp(ip);
      if (p == null) {
        continue;
      }
      boolean nsOk =
          peer.getNamespaceSelector() == null
              ? p.getMetadata().getNamespace().equals(np.getMetadata().getNamespace())
              : selectorMatches(
                  peer.getNamespaceSelector(), nsLabels(p.getMetadata().getNamespace()));
      if (nsOk && selectorMatches(peer.getPodSelector(), p.getMetadata().getLabels())) {
        return true;
      }
    }
    return false;
  }

  private static boolean portsMatch(
      List<NetworkPolicyPort> ports, Pod servingPod, String protocol, int port) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : ports) {
      String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
      if (!proto.equals(protocol)) {
        continue;
      }
      if (p.getPort() == null) {
        return true;
      }
      if (p.getPort().getIntVal() != null) {
        int lo = p.getPort().getIntVal();
        int hi = p.getEndPort() == null ? lo : p.getEndPort();
        if (port >= lo && port <= hi) {
          return true;
        }
      } else if (servingPod != null) {
        for (var c : servingPod.getSpec().getContainers()) {
          for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
            String cproto = cp.getProtocol() == null ? "TCP" : cp.getProtocol();
            if (p.getPort().getStrVal().equals(cp.getName())
                && cproto.equals(protocol)
                && cp.getContainerPort() == port) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  static boolean selectorMatches(LabelSelector s, Map<String, String> labelsOrNull) {
    Map<String, String> labels = labelsOrNull == null ? Map.of() : labelsOrNull;
    if (s == null) {
      return true;
    }
    if (s.getMatchLabels() != null) {
      for (var e : s.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (s.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : s.getMatchExpressions()) {
        boolean has = labels.containsKey(r.getKey());
        boolean in = has && r.getValues() != null && r.getValues().contains(labels.get(r.getKey()));
        boolean ok =
            switch (r.getOperator()) {
              case "In" -> in;
              case "NotIn" -> !in;
              case "Exists" -> has;
              case "DoesNotExist" -> !has;
              default -> throw new IllegalArgumentException(r.getOperator());
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  Map<String, String> nsLabels(String name) {
    for (Namespace n : namespaces) {
      if (n.getMetadata().getName().equals(name)) {
        Map<String, String> l =
            new HashMap<>(
                n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
        l.put("kubernetes.io/metadata.name", name);
        return l;
      }
    }
    return Map.of("kubernetes.io/metadata.name", name);
  }

  /** A live pod with its own network namespace that holds {@code ip}, or null. */
  Pod podWithIp(String ip) {
    for (Pod p : pods) {
      if (live(p) && ips(p).contains(ip)) {
        return p;
      }
    }
    return null;
  }

  static boolean live(Pod p) {
    String phase = p.getStatus().getPhase();
    return !Boolean.TRUE.equals(p.getSpec().getHostNetwork())
        && !"Succeeded".equals(phase)
        && !"Failed".equals(phase)
        && !ips(p).isEmpty();
  }

  static List<String> ips(Pod p) {
    List<String> out = new ArrayList<>();
    if (p.getStatus().getPodIPs() != null) {
      for (PodIP ip : p.getStatus().getPodIPs()) {
        out.add(ip.getIp());
      }
    }
    return out;
  }

  static boolean inBlock(IPBlock block, String ip) {
    if (!inCidr(block.getCidr(), ip)) {
      return false;
    }
    if (block.getExcept() != null) {
      for (String e : block.getExcept()) {
        if (inCidr(e, ip)) {
          return false;
        }
      }
    }
    return true;
  }

  /** CIDR membership by big-integer arithmetic on the address bits. */
  static boolean inCidr(String cidr, String ip) {
    try {
      String[] parts = cidr.split("/");
      byte[] net = InetAddress.getByName(parts[0]).getAddress();
      byte[] addr = InetAddress.getByName(ip).getAddress();
      if (net.length != addr.length) {
        return false;
      }
      int bits = net.length * 8;
      int prefix = Integer.parseInt(parts[1]);
      BigInteger shift = BigInteger.ONE.shiftLeft(bits - prefix);
      return new BigInteger(1, net).divide(shift).equals(new BigInteger(1, addr).divide(shift));
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
