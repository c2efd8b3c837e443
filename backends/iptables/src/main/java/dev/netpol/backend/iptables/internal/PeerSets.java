package dev.netpol.backend.iptables.internal;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.IpFamily;
import dev.netpol.api.model.Peer;
import dev.netpol.netfilter.IpSet;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The members of one rule's {@code hash:net} set for one family, with {@code except} handled as the
 * eBPF backend's RuleCompiler does: scoped to its own peer.
 *
 * <p>For every prefix P among the peers' CIDRs and excepts, addresses whose most specific match is
 * P are in the rule iff some peer's CIDR contains P and none of that peer's excepts contains P.
 * hash:net tries the most specific prefix first, so P goes in as a member when that holds and as a
 * {@code nomatch} member when it does not. A {@code nomatch} prefix that no member contains is left
 * out (nothing shorter would match it anyway). hash:net has no /0: a /0 becomes its two /1 halves.
 */
public final class PeerSets {
  private PeerSets() {}

  public static List<IpSet.Member> members(List<Peer> peers, IpFamily family) {
    List<Peer> ps = new ArrayList<>();
    for (Peer p : peers) {
      if (p.cidr().family() != family) {
        continue;
      }
      if (p.cidr().prefixLength() == 0) {
        for (Cidr half : halves(family)) {
          if (!p.except().contains(half)) { // an except of exactly one half removes that half
            ps.add(new Peer(half, p.except().stream().filter(half::contains).toList()));
          }
        }
      } else {
        ps.add(p);
      }
    }
    Set<Cidr> prefixes = new LinkedHashSet<>();
    for (Peer p : ps) {
      prefixes.add(p.cidr());
      prefixes.addAll(p.except());
    }
    List<Cidr> allowed = new ArrayList<>();
    List<Cidr> carved = new ArrayList<>();
    for (Cidr c : prefixes) {
      boolean in =
          ps.stream()
              .anyMatch(
                  p -> p.cidr().contains(c) && p.except().stream().noneMatch(e -> e.contains(c)));
      (in ? allowed : carved).add(c);
    }
    List<IpSet.Member> out = new ArrayList<>();
    for (Cidr c : allowed) {
      out.add(new IpSet.Member(c.toString(), false));
    }
    for (Cidr c : carved) {
      if (allowed.stream().anyMatch(a -> a.contains(c))) {
        out.add(new IpSet.Member(c.toString(), true));
      }
    }
    return out;
  }

  private static List<Cidr> halves(IpFamily family) {
    try {
      byte[] low = new byte[family.bits() / 8];
      byte[] high = low.clone();
      high[0] = (byte) 0x80;
      return List.of(
          new Cidr(InetAddress.getByAddress(low), 1), new Cidr(InetAddress.getByAddress(high), 1));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
