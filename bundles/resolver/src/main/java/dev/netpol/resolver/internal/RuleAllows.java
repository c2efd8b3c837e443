package dev.netpol.resolver.internal;

import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.resolver.ResolvedEntry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the entries of one rule allow an address and port: used for the Service step. Host
 * entries (one pod IP each, the bulk of a large rule) are indexed by address.
 */
final class RuleAllows {
  private final Map<InetAddress, List<ResolvedEntry>> hosts = new HashMap<>();
  private final List<ResolvedEntry> blocks = new ArrayList<>();

  RuleAllows(List<ResolvedEntry> entries) {
    for (ResolvedEntry e : entries) {
      if (e.peer().cidr().isHost()) {
        hosts.computeIfAbsent(e.peer().cidr().address(), k -> new ArrayList<>()).add(e);
      } else {
        blocks.add(e);
      }
    }
  }

  boolean allows(InetAddress ip, Protocol protocol, int port) {
    return anyAllows(hosts.getOrDefault(ip, List.of()), ip, protocol, port)
        || anyAllows(blocks, ip, protocol, port);
  }

  private static boolean anyAllows(
      List<ResolvedEntry> entries, InetAddress ip, Protocol protocol, int port) {
    for (ResolvedEntry e : entries) {
      if (e.peer().contains(ip) && (e.allPorts() || matchesAny(e.ports(), protocol, port))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesAny(List<PortRange> ports, Protocol protocol, int port) {
    for (PortRange r : ports) {
      if (r.matches(protocol, port)) {
        return true;
      }
    }
    return false;
  }
}
