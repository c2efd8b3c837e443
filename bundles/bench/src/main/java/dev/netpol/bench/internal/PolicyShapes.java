package dev.netpol.bench.internal;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.DirectionPolicy;
import dev.netpol.api.model.Peer;
import dev.netpol.api.model.PodPolicy;
import dev.netpol.api.model.PortRange;
import dev.netpol.api.model.Protocol;
import dev.netpol.api.model.Rule;
import java.util.ArrayList;
import java.util.List;

/**
 * The policies the benchmarks program: an ingress rule with N peer CIDRs and M TCP port ranges, the
 * allowed client and the measured ports placed <em>last</em> (the worst case for anything that
 * matches rules in order; a trie or a set does not care).
 */
public final class PolicyShapes {
  private PolicyShapes() {}

  /**
   * {@code count - 1} filler host CIDRs from 10.0.0.0/8 (never used by any packet), then {@code
   * last}.
   */
  public static List<String> peers(int count, String last) {
    List<String> out = new ArrayList<>(count);
    for (int i = 1; i < count; i++) {
      out.add("10." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff) + "/32");
    }
    out.add(last);
    return out;
  }

  /**
   * {@code count - 1} filler ranges of 5 ports from 20000 up (every other block of 10), then {@code
   * lastFirst..lastLast}.
   */
  public static List<int[]> portRanges(int count, int lastFirst, int lastLast) {
    List<int[]> out = new ArrayList<>(count);
    for (int i = 0; i < count - 1; i++) {
      int first = 20_000 + i * 10;
      out.add(new int[] {first, first + 4});
    }
    out.add(new int[] {lastFirst, lastLast});
    return out;
  }

  /** Ingress isolated to one rule (peers × TCP port ranges); egress open. */
  public static PodPolicy ingress(List<String> peers, List<int[]> ranges, String origin) {
    List<Peer> ps = peers.stream().map(c -> Peer.of(Cidr.parse(c))).toList();
    List<PortRange> ports =
        ranges.stream().map(r -> new PortRange(Protocol.TCP, r[0], r[1])).toList();
    return new PodPolicy(
        new DirectionPolicy(true, List.of(new Rule(ps, ports, origin))), DirectionPolicy.ALLOW_ALL);
  }
}
