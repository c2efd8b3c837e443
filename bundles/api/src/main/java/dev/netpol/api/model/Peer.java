package dev.netpol.api.model;

import java.util.List;

/**
 * A block of addresses a rule talks to: a CIDR minus its {@code except} prefixes. The except list
 * is scoped to this peer only, as the NetworkPolicy spec says for ipBlock.
 */
public record Peer(Cidr cidr, List<Cidr> except) {

  public Peer {
    if (cidr == null) {
      throw new ModelException("cidr", "peer CIDR is missing");
    }
    except = List.copyOf(except == null ? List.of() : except);
    for (int i = 0; i < except.size(); i++) {
      Cidr e = except.get(i);
      if (!cidr.contains(e) || e.prefixLength() == cidr.prefixLength()) {
        throw new ModelException("except[" + i + "]", e + " must be a strict subset of " + cidr);
      }
    }
  }

  public static Peer of(Cidr cidr) {
    return new Peer(cidr, List.of());
  }

  public static Peer host(java.net.InetAddress address) {
    return new Peer(Cidr.host(address), List.of());
  }

  public boolean contains(java.net.InetAddress ip) {
    return cidr.contains(ip) && except.stream().noneMatch(e -> e.contains(ip));
  }

  @Override
  public String toString() {
    return except.isEmpty() ? cidr.toString() : cidr + " except " + except;
  }
}
