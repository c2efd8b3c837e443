package dev.netpol.resolver;

import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PortRange;
import java.util.Comparator;
import java.util.List;

/**
 * One allowed peer block on some ports, for some of the selected pods.
 *
 * @param ports numeric port ranges; {@link #ALL_PORTS} (empty) means every port of every protocol
 * @param targets names of the selected pods this entry applies to; {@link #ALL_TARGETS} (empty)
 *     means all of them. Only ingress entries whose named ports differ between selected pods have
 *     targets.
 */
public record ResolvedEntry(Peer peer, List<PortRange> ports, List<String> targets)
    implements Comparable<ResolvedEntry> {
  public static final List<PortRange> ALL_PORTS = List.of();
  public static final List<String> ALL_TARGETS = List.of();

  public ResolvedEntry {
    ports = ports.stream().distinct().sorted().toList();
    targets = targets.stream().distinct().sorted().toList();
  }

  public boolean allPorts() {
    return ports.isEmpty();
  }

  public boolean allTargets() {
    return targets.isEmpty();
  }

  private static final Comparator<ResolvedEntry> ORDER =
      Comparator.comparing((ResolvedEntry e) -> e.peer.cidr())
          .thenComparing(e -> e.peer.except().toString())
          .thenComparing(e -> String.join(",", e.targets))
          .thenComparing(e -> e.ports.toString());

  @Override
  public int compareTo(ResolvedEntry o) {
    return ORDER.compare(this, o);
  }
}
