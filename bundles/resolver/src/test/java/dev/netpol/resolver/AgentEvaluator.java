package dev.netpol.resolver;

import dev.netpol.api.model.Cidr;
import dev.netpol.policyendpoint.ChunkSet;
import dev.netpol.policyendpoint.EndpointEntry;
import dev.netpol.policyendpoint.EndpointPort;
import dev.netpol.policyendpoint.PodSelectorEndpoint;
import dev.netpol.policyendpoint.PolicyEndpoint;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Verdicts computed only from PolicyEndpoints, the way a node agent would: per policy take the
 * complete chunk set, find whether it selects the pod, union the entries that apply to it.
 */
final class AgentEvaluator {
  private final List<List<PolicyEndpoint>> policies = new ArrayList<>();

  void addPolicy(List<PolicyEndpoint> chunks) {
    policies.add(
        ChunkSet.complete(chunks).orElseThrow(() -> new AssertionError("incomplete chunks")));
  }

  /** Pod namespace/name (or null for outside) -> address; ips are textual. */
  boolean allowed(
      String fromNs,
      String fromName,
      String fromIp,
      String toNs,
      String toName,
      String toIp,
      String protocol,
      int port) {
    return (fromName == null || allows(fromNs, fromName, toIp, protocol, port, false))
        && (toName == null || allows(toNs, toName, fromIp, protocol, port, true));
  }

  private boolean allows(
      String ns, String name, String peerIp, String protocol, int port, boolean ingress) {
    String direction = ingress ? "Ingress" : "Egress";
    boolean isolated = false;
    InetAddress peer = Cidr.parseAddress(peerIp, "ip", peerIp);
    for (List<PolicyEndpoint> chunks : policies) {
      if (!chunks.get(0).getSpec().getPodIsolation().contains(direction)
          || !selects(chunks, ns, name)) {
        continue;
      }
      isolated = true;
      for (PolicyEndpoint pe : chunks) {
        for (EndpointEntry e : ingress ? pe.getSpec().getIngress() : pe.getSpec().getEgress()) {
          if ((e.getTargets() == null || e.getTargets().contains(name))
              && contains(e, peer)
              && portMatches(e.getPorts(), protocol, port)) {
            return true;
          }
        }
      }
    }
    return !isolated;
  }

  private static boolean selects(List<PolicyEndpoint> chunks, String ns, String name) {
    for (PolicyEndpoint pe : chunks) {
      for (PodSelectorEndpoint p : pe.getSpec().getPodSelectorEndpoints()) {
        if (p.getNamespace().equals(ns) && p.getName().equals(name)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean contains(EndpointEntry e, InetAddress ip) {
    if (!Cidr.parse(e.getCidr()).contains(ip)) {
      return false;
    }
    if (e.getExcept() != null) {
      for (String x : e.getExcept()) {
        if (Cidr.parse(x).contains(ip)) {
          return false;
        }
      }
    }
    return true;
  }

  static boolean portMatches(List<EndpointPort> ports, String protocol, int port) {
    if (ports == null) {
      return true;
    }
    for (EndpointPort p : ports) {
      if (p.getProtocol().equals(protocol)
          && (p.getPort() == null
              || (port >= p.getPort()
                  && port <= (p.getEndPort() == null ? p.getPort() : p.getEndPort())))) {
        return true;
      }
    }
    return false;
  }
}
