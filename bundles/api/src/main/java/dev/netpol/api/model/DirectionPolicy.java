package dev.netpol.api.model;

import java.net.InetAddress;
import java.util.List;

/**
 * What one direction (ingress or egress) of a pod allows. A direction that is not isolated allows
 * everything; an isolated one allows exactly what its rules allow (nothing, if there are none).
 */
public record DirectionPolicy(boolean isolated, List<Rule> rules) {
  public static final DirectionPolicy ALLOW_ALL = new DirectionPolicy(false, List.of());
  public static final DirectionPolicy DENY_ALL = new DirectionPolicy(true, List.of());

  public DirectionPolicy {
    rules = List.copyOf(rules == null ? List.of() : rules);
  }

  /** Reference verdict for a packet whose remote end is {@code ip}. */
  public boolean allows(InetAddress ip, int ipProtocol, int port) {
    return !isolated || rules.stream().anyMatch(r -> r.allows(ip, ipProtocol, port));
  }
}
