package dev.netpol.api.model;

import java.net.InetAddress;
import java.util.List;

/**
 * One allow rule: traffic to or from any of {@code peers} on any of {@code ports}. An empty port
 * list means every protocol and port (ICMP included); an empty peer list matches nothing. {@code
 * origin} names the policy that produced the rule ({@code namespace/name}) for verdict logs.
 */
public record Rule(List<Peer> peers, List<PortRange> ports, String origin) {

  public Rule {
    peers = List.copyOf(peers == null ? List.of() : peers);
    ports = List.copyOf(ports == null ? List.of() : ports);
    origin = origin == null ? "" : origin;
  }

  public boolean allowsAllPorts() {
    return ports.isEmpty();
  }

  /** Reference semantics: does this rule allow a packet from/to {@code ip} with this L4 header? */
  public boolean allows(InetAddress ip, int ipProtocol, int port) {
    if (peers.stream().noneMatch(p -> p.contains(ip))) {
      return false;
    }
    if (ports.isEmpty()) {
      return true;
    }
    return ports.stream()
        .anyMatch(
            r -> r.protocol().number() == ipProtocol && port >= r.first() && port <= r.last());
  }
}
