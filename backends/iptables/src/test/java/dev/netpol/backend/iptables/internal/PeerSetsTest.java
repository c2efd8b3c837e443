package dev.netpol.backend.iptables.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netpol.api.model.Cidr;
import dev.netpol.api.model.IpFamily;
import dev.netpol.api.model.Peer;
import dev.netpol.netfilter.IpSet;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The set members, matched as hash:net matches (most specific prefix first, nomatch), equal the
 * model.
 */
class PeerSetsTest {
  @Test
  void randomPeersWithExceptMatchLikeTheModel() throws Exception {
    Random rnd = new Random(7);
    for (int round = 0; round < 300; round++) {
      List<Peer> peers = new ArrayList<>();
      int n = 1 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        Cidr c = new Cidr(addr(rnd), rnd.nextInt(4) == 0 ? 0 : 4 + rnd.nextInt(12));
        List<Cidr> ex = new ArrayList<>();
        for (int e = rnd.nextInt(3); e > 0; e--) {
          int len = c.prefixLength() + 1 + rnd.nextInt(6);
          byte[] b = c.bytes().clone();
          b[1] = (byte) rnd.nextInt(256);
          b[2] = (byte) rnd.nextInt(256);
          b[0] =
              (byte)
                  ((b[0] & (0xff << (8 - Math.min(8, c.prefixLength()))))
                      | (rnd.nextInt(256) >> Math.min(8, c.prefixLength())));
          Cidr x = new Cidr(InetAddress.getByAddress(b), len);
          if (c.contains(x) && x.prefixLength() > c.prefixLength()) {
            ex.add(x);
          }
        }
        peers.add(new Peer(c, ex));
      }
      List<IpSet.Member> members = PeerSets.members(peers, IpFamily.V4);
      for (int k = 0; k < 200; k++) {
        InetAddress ip = k % 2 == 0 ? addr(rnd) : near(peers, rnd);
        boolean model = peers.stream().anyMatch(p -> p.contains(ip));
        assertEquals(model, hashNet(members, ip), peers + " " + members + " " + ip);
      }
    }
    assertEquals(
        List.of(new IpSet.Member("0.0.0.0/1", false), new IpSet.Member("128.0.0.0/1", false)),
        PeerSets.members(List.of(Peer.of(Cidr.parse("0.0.0.0/0"))), IpFamily.V4));
  }

  @Test
  void fiftyThousandHostPeersAreMembersWithoutPairwiseComparisons() throws Exception {
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      peers.add(
          Peer.host(
              InetAddress.getByAddress(
                  new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i})));
    }
    peers.add(new Peer(Cidr.parse("10.0.0.0/16"), List.of(Cidr.parse("10.0.1.0/24"))));
    List<IpSet.Member> m = PeerSets.members(peers, IpFamily.V4);
    // 50k hosts + the /16 + the carved /24; the hosts inside 10.0.1.0/24 stay members (own peers)
    assertEquals(50_002, m.size());
    assertEquals(
        true, hashNet(m, InetAddress.getByName("10.0.1.7")), "a host peer inside the except");
    assertEquals(false, hashNet(m, InetAddress.getByName("10.1.200.1")), "not a peer");
  }

  static boolean hashNet(List<IpSet.Member> members, InetAddress ip) {
    IpSet.Member best = null;
    int bestLen = -1;
    for (IpSet.Member m : members) {
      Cidr c = Cidr.parse(m.cidr());
      if (c.contains(ip) && c.prefixLength() > bestLen) {
        best = m;
        bestLen = c.prefixLength();
      }
    }
    return best != null && !best.nomatch();
  }

  static InetAddress addr(Random rnd) throws Exception {
    byte[] b = new byte[4];
    rnd.nextBytes(b);
    return InetAddress.getByAddress(b);
  }

  /** An address inside one of the peers or their excepts, so the interesting regions are probed. */
  static InetAddress near(List<Peer> peers, Random rnd) throws Exception {
    Peer p = peers.get(rnd.nextInt(peers.size()));
    Cidr c =
        p.except().isEmpty() || rnd.nextBoolean()
            ? p.cidr()
            : p.except().get(rnd.nextInt(p.except().size()));
    byte[] b = c.bytes().clone();
    byte[] r = new byte[4];
    rnd.nextBytes(r);
    for (int bit = c.prefixLength(); bit < 32; bit++) {
      int mask = 0x80 >> (bit % 8);
      b[bit / 8] = (byte) ((b[bit / 8] & ~mask) | (r[bit / 8] & mask));
    }
    return InetAddress.getByAddress(b);
  }
}
