package dev.netpol.backend.iptables.internal;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.IpFamily;
import dev.netpol.api.model.Peer;
import dev.netpol.netfilter.IpSet;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
    // every lookup goes through a prefix's truncations (at most 129), never over all peers: a
    // rule of 50k peers costs 50k x bits map lookups, not 50k x 50k comparisons
    Map<Cidr, List<Peer>> byCidr = new HashMap<>();
    Set<Cidr> prefixes = new LinkedHashSet<>();
    for (Peer p : ps) {
      byCidr.computeIfAbsent(p.cidr(), k -> new ArrayList<>()).add(p);
      prefixes.add(p.cidr());
      prefixes.addAll(p.except());
    }
    List<Cidr> carved = new ArrayList<>();
    Set<Cidr> allowed = new LinkedHashSet<>();
    for (Cidr c : prefixes) {
      (inRule(c, byCidr) ? allowed : carved).add(c);
    }
    List<IpSet.Member> out = new ArrayList<>();
    for (Cidr c : allowed) {
      out.add(new IpSet.Member(c.toString(), false));
    }
    for (Cidr c : carved) {
      for (int len = c.prefixLength() - 1; len >= 0; len--) {
        if (allowed.contains(new Cidr(c.address(), len))) {
          out.add(new IpSet.Member(c.toString(), true));
          break;
        }
      }
    }
    return out;
  }

  /** Some peer's CIDR contains c and none of that peer's excepts does. */
  private static boolean inRule(Cidr c, Map<Cidr, List<Peer>> byCidr) {
    for (int len = 0; len <= c.prefixLength(); len++) {
      List<Peer> refs = byCidr.get(new Cidr(c.address(), len));
      if (refs != null) {
        for (Peer p : refs) {
          if (p.except().stream().noneMatch(e -> e.contains(c))) {
            return true;
          }
        }
      }
    }
    return false;
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
