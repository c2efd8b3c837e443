package dev.netpol.resolver.internal;

import dev.netpol.api.model.Peer;
import dev.netpol.api.model.Protocol;
import java.util.List;

/** A NetworkPolicy after validation: every value parsed, defaults applied. */
public record ParsedPolicy(
    String namespace,
    String name,
    String uid,
    Selector podSelector,
    boolean ingressIsolated,
    boolean egressIsolated,
    List<ParsedRule> ingress,
    List<ParsedRule> egress) {

  /**
   * One rule. {@code allPeers}: from/to missing or empty. {@code allPorts}: ports missing or empty.
   */
  public record ParsedRule(
      boolean allPeers, List<ParsedPeer> peers, boolean allPorts, List<ParsedPort> ports) {
    public boolean hasNamedPorts() {
      return ports.stream().anyMatch(p -> p.name() != null);
    }
  }

  /** Either an ipBlock or selectors; {@code namespaceSelector == null}: the policy namespace. */
  public record ParsedPeer(Peer ipBlock, Selector namespaceSelector, Selector podSelector) {}

  /**
   * A port: numeric range {@code first..last}, all ports of the protocol ({@code first == 0, last
   * == 65535}), or a container port {@code name}.
   */
  public record ParsedPort(Protocol protocol, int first, int last, String name) {}
}
