package dev.netpol.itests.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ingress or egress rule: peers (ORed) and ports (ORed); an empty list is left out and means
 * "all".
 */
public record PolicyRule(List<PolicyPeer> peers, List<PolicyPort> ports) {
  /** The empty rule {}: allows everything in its direction. */
  public static PolicyRule all() {
    return new PolicyRule(List.of(), List.of());
  }

  public static PolicyRule peers(PolicyPeer... peers) {
    return new PolicyRule(List.of(peers), List.of());
  }

  public static PolicyRule ports(PolicyPort... ports) {
    return new PolicyRule(List.of(), List.of(ports));
  }

  public PolicyRule withPorts(PolicyPort... more) {
    List<PolicyPort> p = new ArrayList<>(ports);
    p.addAll(List.of(more));
    return new PolicyRule(peers, p);
  }

  Map<String, Object> toMap(String peerField) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!peers.isEmpty()) {
      m.put(peerField, peers.stream().map(PolicyPeer::toMap).toList());
    }
    if (!ports.isEmpty()) {
      m.put("ports", ports.stream().map(PolicyPort::toMap).toList());
    }
    return m;
  }
}
