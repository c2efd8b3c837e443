package dev.netpol.resolver.internal;

import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.resolver.ResolvedEntry;
import java.net.InetAddress;
import java.util.List;

/** Whether the entries of one rule allow an address and port: used for the Service step. */
final class RuleAllows {
  private final List<ResolvedEntry> entries;

  RuleAllows(List<ResolvedEntry> entries) {
    this.entries = entries;
  }

  boolean allows(InetAddress ip, Protocol protocol, int port) {
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
