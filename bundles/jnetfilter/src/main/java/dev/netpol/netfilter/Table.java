package dev.netpol.netfilter;

import java.util.Set;

/**
 * An iptables table we write into, with its built-in chains: the only foreign chains the facade
 * touches, and there only rules that jump to one of ours.
 */
public enum Table {
  FILTER("filter", Set.of("INPUT", "FORWARD", "OUTPUT")),
  NAT("nat", Set.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"));

  private final String id;
  private final Set<String> builtins;

  Table(String id, Set<String> builtins) {
    this.id = id;
    this.builtins = builtins;
  }

  /** {@code filter} or {@code nat}, as {@code -t} and {@code *table} name it. */
  public String id() {
    return id;
  }

  /** The table's built-in chains. */
  public Set<String> builtins() {
    return builtins;
  }
}
